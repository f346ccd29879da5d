// One argument as a POSIX shell reads it back: bare when it is made of safe characters, else
// in single quotes (a quote inside closes, escapes and reopens them). For the command lines
// refute prints for a person to paste: reproductions in tickets.

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9._/:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from its words. */
export const shellLine = (words: string[]): string => words.map(shellQuote).join(" ");
