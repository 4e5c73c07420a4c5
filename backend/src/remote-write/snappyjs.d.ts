/** snappyjs 0.7 ships no types; the two functions used here (snappy block format, as remote write 1.0 wants). */
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}
