/* global document, location, fetch, WebSocket, FormData, URLSearchParams, atob, crypto, setTimeout */
// The demo page: log in against the API, place an order, watch its status live over the
// gateway's WebSocket. Plain browser JavaScript, no build step.
//
// The API lives on port 8000 next to this gateway (8001) locally, or on the same origin behind
// nginx; `?api=<url>` overrides it.

const STEPS = ['pending', 'validated', 'paid', 'processing', 'fulfilled', 'shipped', 'delivered'];

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const API =
  params.get('api') ??
  (location.port === '8001' ? `${location.protocol}//${location.hostname}:8000` : location.origin);

const state = {
  accessToken: null,
  refreshToken: null,
  userId: null,
  socket: null,
  lastEventId: null,
  reconnectDelay: 500,
  orders: new Map(),
  currentOrderId: null,
};

function log(text, cls) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  if (cls) li.className = cls;
  $('log').prepend(li);
}

function claimsOf(token) {
  const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(payload));
}

async function api(path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers ?? {}) };
  if (state.accessToken) headers.Authorization = `Bearer ${state.accessToken}`;
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${API}${path}`, { ...options, headers });
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.detail ?? body?.title ?? `HTTP ${res.status}`);
  return body;
}

function useTokens(pair) {
  state.accessToken = pair.access_token;
  state.refreshToken = pair.refresh_token;
  state.userId = claimsOf(pair.access_token).sub;
}

async function refreshTokens() {
  const pair = await api('/api/v1/auth/refresh', {
    method: 'POST',
    body: JSON.stringify({ refresh_token: state.refreshToken }),
  });
  useTokens(pair);
}

// ---- rendering ---------------------------------------------------------------------------

function renderSteps(status) {
  const steps = $('steps');
  steps.replaceChildren();
  const at = STEPS.indexOf(status);
  for (const [i, step] of STEPS.entries()) {
    const li = document.createElement('li');
    li.textContent = step;
    if (i < at || status === 'delivered') li.className = 'done';
    if (i === at) li.className = status === 'delivered' ? 'done current' : 'current';
    steps.append(li);
  }
  if (status === 'cancelled' || status === 'failed') {
    const li = document.createElement('li');
    li.textContent = status;
    li.className = 'failed';
    steps.append(li);
  }
}

function renderOrders() {
  const rows = [...state.orders.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  $('orders').replaceChildren(
    ...rows.map((o) => {
      const tr = document.createElement('tr');
      tr.dataset.orderId = o.order_id;
      for (const text of [
        o.order_id.slice(0, 8),
        o.status,
        o.total_amount ?? '',
        o.updated_at ?? '',
      ]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
  const current = state.orders.get(state.currentOrderId);
  if (current) {
    $('current').hidden = false;
    $('current-order-id').textContent = current.order_id;
    $('order-status').textContent = current.status;
    $('order-status').dataset.status = current.status;
    renderSteps(current.status);
  }
}

// ---- the WebSocket -----------------------------------------------------------------------

function wsUrl() {
  const base = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/orders/${state.userId}`;
  const query = new URLSearchParams({ token: state.accessToken });
  if (state.lastEventId) query.set('last_event_id', state.lastEventId);
  return `${base}?${query}`;
}

function setSocketState(text) {
  $('ws-state').textContent = text;
  $('ws-state').dataset.state = text;
}

function connect() {
  const socket = new WebSocket(wsUrl());
  state.socket = socket;
  setSocketState('connecting');
  socket.onopen = () => {
    setSocketState('open');
    state.reconnectDelay = 500;
    log(state.lastEventId ? `connected, resuming after ${state.lastEventId}` : 'connected');
  };
  socket.onmessage = (event) => onMessage(JSON.parse(event.data));
  socket.onclose = async (event) => {
    setSocketState('closed');
    if (state.socket !== socket) return;
    log(`closed ${event.code} ${event.reason}`, event.code === 1000 ? '' : 'error');
    if (event.code === 4001) {
      try {
        await refreshTokens();
      } catch (err) {
        log(`cannot refresh the session: ${err.message}`, 'error');
        return;
      }
    }
    setTimeout(connect, state.reconnectDelay);
    state.reconnectDelay = Math.min(state.reconnectDelay * 2, 15_000);
  };
}

function onMessage(msg) {
  if (msg.type === 'snapshot') {
    for (const order of msg.orders) state.orders.set(order.order_id, order);
    if (!state.lastEventId) state.lastEventId = msg.last_event_id;
    log(`snapshot: ${msg.orders.length} active order(s)`);
  } else if (msg.type === 'order.update') {
    state.lastEventId = msg.id;
    const known = state.orders.get(msg.order_id) ?? {
      order_id: msg.order_id,
      created_at: msg.timestamp,
    };
    state.orders.set(msg.order_id, { ...known, status: msg.status, updated_at: msg.timestamp });
    const extra = msg.data?.tracking_number
      ? ` (${msg.data.carrier ?? ''} ${msg.data.tracking_number})`
      : '';
    log(`${msg.order_id.slice(0, 8)} → ${msg.status}: ${msg.message}${extra}`);
  } else if (msg.type === 'error') {
    log(`server: ${msg.code}: ${msg.message}`, 'error');
  }
  renderOrders();
}

// ---- forms -------------------------------------------------------------------------------

async function loadProducts() {
  const { data } = await api('/api/v1/products');
  $('product-select').replaceChildren(
    ...data.map((p) => {
      const option = document.createElement('option');
      option.value = p.product_id;
      option.dataset.price = p.price;
      option.textContent = `${p.name} (${p.price}, ${p.stock} in stock)`;
      return option;
    }),
  );
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    useTokens(
      await api('/api/v1/auth/login', {
        method: 'POST',
        body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
      }),
    );
    $('who').textContent = `Logged in as ${form.get('email')} (${state.userId})`;
    $('shop-section').hidden = false;
    $('orders-section').hidden = false;
    await loadProducts();
    state.socket?.close(1000);
    connect();
  } catch (err) {
    log(`login failed: ${err.message}`, 'error');
  }
});

$('order-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const select = $('product-select');
  const option = select.selectedOptions[0];
  const quantity = Number(new FormData(event.target).get('quantity'));
  try {
    const order = await api('/api/v1/orders', {
      method: 'POST',
      headers: { 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({
        items: [{ product_id: select.value, quantity, price: option.dataset.price }],
        shipping_address: {
          street: '1 Demo Street',
          city: 'Springfield',
          state: 'IL',
          zip: '62701',
          country: 'US',
        },
        payment_method: 'card',
      }),
    });
    state.currentOrderId = order.order_id;
    if (!state.orders.has(order.order_id)) state.orders.set(order.order_id, order);
    log(`placed order ${order.order_id.slice(0, 8)} (${order.status})`);
    renderOrders();
  } catch (err) {
    log(`order failed: ${err.message}`, 'error');
  }
});

$('api-url').textContent = API;
