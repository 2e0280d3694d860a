// Resolves @pushflow/emulator from a folder with no node_modules above it, so the import fails
// with Node's own error ("Cannot find package '@pushflow/emulator' imported from …").
const NOWHERE = new URL("file:///pushflow-test-no-such-folder/index.mjs").href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "@pushflow/emulator" || specifier.startsWith("@pushflow/emulator/")) {
    return nextResolve(specifier, { ...context, parentURL: NOWHERE });
  }
  return nextResolve(specifier, context);
}
