// Pulumi entry point (Pulumi.yaml `main`). The exported async function's result becomes the stack outputs.
import { runProgram } from "./program";

export = () => runProgram();
