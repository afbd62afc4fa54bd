export * from "./config";
export { StackConfigError } from "./errors";
