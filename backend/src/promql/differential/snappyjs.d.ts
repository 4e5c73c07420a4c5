/** snappyjs 0.7 ships no types; the one function used here. */
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
}
