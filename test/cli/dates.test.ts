import { formatLsDate, formatNbDate, formatNbDateMinutes, formatNbDateTime, parseNbDate, parseNbEndDate } from '../../src/cli/dates.js';
import { OpenbpError } from '../../src/protocol/errors.js';

process.env.TZ = 'UTC';

describe('NetBackup dates', () => {
  it('parses mm/dd/yyyy [hh:mm[:ss]] in local time', () => {
    expect(parseNbDate('11/12/2023')).toBe(Date.UTC(2023, 10, 12) / 1000);
    expect(parseNbDate('11/12/2023 20:45:07')).toBe(Date.UTC(2023, 10, 12, 20, 45, 7) / 1000);
    expect(parseNbDate('1/2/2024 3:04')).toBe(Date.UTC(2024, 0, 2, 3, 4) / 1000);
    expect(parseNbDate('01/02/08')).toBe(Date.UTC(2008, 0, 2) / 1000);
    expect(parseNbEndDate('11/12/2023')).toBe(Date.UTC(2023, 10, 12, 23, 59, 59) / 1000);
    expect(parseNbEndDate('11/12/2023 10:00')).toBe(Date.UTC(2023, 10, 12, 10) / 1000);
  });
  it('refuses other forms with status 20', () => {
    for (const bad of ['2023-11-12', '13/01/2023', '02/30/2023', '11/12/2023 24:00', 'yesterday', '']) {
      expect(() => parseNbDate(bad)).toThrow(OpenbpError);
      try {
        parseNbDate(bad, '-s');
      } catch (e) {
        expect((e as OpenbpError).status).toBe(20);
      }
    }
  });
  it('formats as the reports print', () => {
    const t = Date.UTC(2023, 10, 2, 8, 5, 9) / 1000;
    expect(formatNbDate(t)).toBe('11/02/2023');
    expect(formatNbDateMinutes(t)).toBe('11/02/2023 08:05');
    expect(formatNbDateTime(t)).toBe('11/02/2023 08:05:09');
    expect(formatLsDate(t)).toBe('Nov  2 08:05');
  });
});
