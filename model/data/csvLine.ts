import { DataFormatError } from '../errors.ts';

/**
 * Splits one CSV line (RFC 4180): fields separated by commas; a field that starts with `"` is
 * quoted, may hold commas, and writes a quote as `""`. Quoted fields spanning lines are not
 * supported (MovieLens files have none) and are reported as unterminated.
 */
export function parseCsvLine(line: string, file: string, lineNumber: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 0x22 /* " */) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const quote = line.indexOf('"', j);
        if (quote === -1) throw new DataFormatError(file, lineNumber, 'unterminated quoted field');
        value += line.slice(j, quote);
        if (line.charCodeAt(quote + 1) === 0x22) {
          value += '"';
          j = quote + 2;
        } else {
          j = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (j === line.length) return fields;
      if (line.charCodeAt(j) !== 0x2c /* , */) {
        throw new DataFormatError(file, lineNumber, `unexpected character after quoted field at column ${j + 1}`);
      }
      i = j + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma === -1) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}
