import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The system Python (Debian's python3-onnx lives there), not whatever `python3` is first on PATH
 * (e.g. pyenv's, which lacks onnx).
 */
const PYTHON = '/usr/bin/python3';
const CHECK = 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)';

/**
 * Runs the reference ONNX checker (`onnx.checker.check_model(..., full_check=True)`, which includes
 * strict shape inference) on a model; throws with the checker's message when the model is invalid,
 * and with installation advice when the onnx Python package is missing.
 */
export function checkOnnxModel(bytes: Uint8Array): void {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${PYTHON} cannot import onnx (${probe.error?.message ?? probe.stderr.trim()}); ` +
        'install it with `apt-get install -y python3-onnx` (CI installs it)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'marquee-onnx-check-'));
  try {
    const file = join(dir, 'model.onnx');
    writeFileSync(file, bytes);
    const result = spawnSync(PYTHON, ['-c', CHECK, file], { encoding: 'utf8' });
    if (result.error || result.status !== 0) {
      throw new Error(`onnx.checker.check_model rejected the model: ${result.error?.message ?? result.stderr.trim()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
