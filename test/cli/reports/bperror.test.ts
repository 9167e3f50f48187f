import { formatStatusMessage, NO_ACTION } from '../../../src/cli/reports/bperror.js';
import { statusEntry } from '../../../src/protocol/status.js';

describe('bperror report', () => {
  it('puts the message on the first line and the action after it with -r', () => {
    expect(formatStatusMessage(statusEntry(227)!, false)).toBe('no entity was found\n');
    expect(formatStatusMessage(statusEntry(71)!, true)).toBe(
      'none of the files in the file list exist\nRecommended Action: Check the paths in the backup selection; they must exist on the client.\n',
    );
    expect(formatStatusMessage(statusEntry(0)!, true)).toBe(`the requested operation was successfully completed\nRecommended Action: ${NO_ACTION}\n`);
  });
});
