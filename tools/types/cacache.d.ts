// The part of cacache's API the file benchmark uses (cacache ships no types).
declare module 'cacache' {
  const cacache: {
    put(cache: string, key: string, data: string | Uint8Array): Promise<string>;
    get(cache: string, key: string): Promise<{ data: Buffer }>;
  };
  export default cacache;
}
