"""Public writes of sales: orders, contracts and their signing, targets and commission."""
