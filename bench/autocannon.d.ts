// autocannon 8 ships no types (and @types/autocannon is not installed): what bench/protected.ts uses.
declare module 'autocannon' {
  interface Result {
    requests: { average: number };
    non2xx: number;
    errors: number;
  }
  function autocannon(options: { url: string | string[]; connections?: number; duration?: number; headers?: Record<string, string> }): Promise<Result>;
  export default autocannon;
}
