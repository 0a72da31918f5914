/**
 * Distinct row indices gathered over several steps (rows whose gradients are being summed until
 * they are applied): add() lists a row once until clear(), in the order first added.
 */
export class PendingRows {
  readonly list: Int32Array;
  count = 0;
  /** Stamps: a row is listed when marks[row] equals the current stamp, so clear() costs nothing per row. */
  private readonly marks: Int32Array;
  private stamp = 1;

  constructor(rows: number) {
    this.list = new Int32Array(rows);
    this.marks = new Int32Array(rows);
  }

  /** Lists rows[0..count-1] that are not listed yet. */
  add(rows: Readonly<Int32Array>, count: number): void {
    const { list, marks, stamp } = this;
    let listed = this.count;
    for (let k = 0; k < count; k++) {
      const row = rows[k];
      if (marks[row] !== stamp) {
        marks[row] = stamp;
        list[listed++] = row;
      }
    }
    this.count = listed;
  }

  clear(): void {
    this.count = 0;
    if (this.stamp === 0x7fffffff) {
      this.marks.fill(0);
      this.stamp = 0;
    }
    this.stamp++;
  }
}
