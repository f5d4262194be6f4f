/** Large digits (5 rows) for the amount a cashier must read at a glance: the change. */
const FONT: Record<string, string[]> = {
  '0': ['███', '█ █', '█ █', '█ █', '███'],
  '1': [' █ ', '██ ', ' █ ', ' █ ', '███'],
  '2': ['███', '  █', '███', '█  ', '███'],
  '3': ['███', '  █', '███', '  █', '███'],
  '4': ['█ █', '█ █', '███', '  █', '  █'],
  '5': ['███', '█  ', '███', '  █', '███'],
  '6': ['███', '█  ', '███', '█ █', '███'],
  '7': ['███', '  █', '  █', '  █', '  █'],
  '8': ['███', '█ █', '███', '█ █', '███'],
  '9': ['███', '█ █', '███', '  █', '███'],
  ',': ['  ', '  ', '  ', ' █', '█ '],
  '.': [' ', ' ', ' ', ' ', '█'],
  '-': ['   ', '   ', '███', '   ', '   '],
  ' ': [' ', ' ', ' ', ' ', ' '],
};

/** The 5 rows of `text` in large digits; characters the font lacks are left out. */
export function bigText(text: string): string[] {
  const glyphs = [...text].map((c) => FONT[c]).filter((g): g is string[] => g !== undefined);
  return [0, 1, 2, 3, 4].map((row) => glyphs.map((g) => g[row]).join(' '));
}
