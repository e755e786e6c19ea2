"""Public reads of sales: quotes, orders and pipelines, contracts, targets and commission."""
