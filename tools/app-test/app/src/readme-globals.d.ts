// What the examples of the READMEs and guides leave to the reader: the application's own functions
// and data. Only ```ts blocks see these; a ```ts runnable block is compiled without them (it is run,
// so it must define everything it uses).
declare const db: {
  users: {
    find(id: string): Promise<{ name: string }>;
    ids(): Promise<string[]>;
    findMany(ids: readonly string[]): Promise<({ name: string } | undefined)[]>;
  };
};
declare const source: import('@cache/warmers').WarmSource<unknown>;
declare const id: string;
declare function render(path: string): Promise<string>;
declare function fetchUser(id: number): Promise<{ name: string }>;
declare function lookUpPrice(sku: string): Promise<number>;
declare const cache: import('@cache/core').Cache;
