"""Request and response bodies of the contract, one module per area."""
