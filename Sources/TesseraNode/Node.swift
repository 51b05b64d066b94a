// node
