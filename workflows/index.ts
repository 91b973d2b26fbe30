/** The workflows the order worker runs (its bundle's entry point). */
export { orderWorkflow } from './order';
export { strandedOrderWorkflow } from './stranded-order';
