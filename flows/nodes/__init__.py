"""One module per node type; see flows.nodes.base for the contract."""
