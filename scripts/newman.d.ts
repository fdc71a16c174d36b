/** The part of newman's API the conformance run uses (the package ships no types). */
declare module 'newman' {
  export interface Assertion {
    assertion: string;
    error?: { message: string };
  }
  interface Execution {
    item: { name: string };
    request: { method: string; url: { toString(): string } };
    response?: { code: number };
    assertions?: Assertion[];
  }
  export interface Summary {
    run: { executions: Execution[]; failures: unknown[] };
  }
  interface RunOptions {
    collection: string | object;
    folder?: string | string[];
    envVar?: { key: string; value: string }[];
    reporters?: string | string[];
    insecure?: boolean;
    timeoutRequest?: number;
  }
  const newman: { run(options: RunOptions, callback: (error: Error | null, summary: Summary) => void): void };
  export default newman;
}
