// Stands in for react-devtools-core, which Ink imports only when DEV=true (not a dependency of tpv).
export default { initialize() {}, connectToDevTools() {} };
