/**
 * The upper halves (bytes 0x80–0xFF) of the code pages our printers and displays use, as Epson
 * prints them: what the printer simulator decodes with and what the customer display encodes with.
 */
const CP437 =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
export const CP850 =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐' +
  '└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';
/** PC857 (Turkish), with the euro at 0xD5 as in PC858; 0xE7 and 0xF2 are unassigned. */
const CP857 =
  'ÇüéâäàåçêëèïîıÄÅÉæÆôöòûùİÖÜø£ØŞşáíóúñÑĞğ¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐' +
  '└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ºªÊËÈ€ÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµ\ufffd×ÚÛÙìÿ¯´\u00ad±\ufffd¾¶§÷¸°¨·¹³²■\u00a0';
/** PC858 is PC850 with the euro in place of the dotless i. */
export const CP858 = CP850.slice(0, 0x55) + '€' + CP850.slice(0x56);
/** Windows-1252: its own 0x80–0x9F, then Latin-1. */
const WPC1252 =
  '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ' + Array.from({ length: 96 }, (_, i) => String.fromCharCode(0xa0 + i)).join('');

/** `ESC t n` → upper half; n as in Epson's table (0 PC437, 2 PC850, 13 PC857, 16 WPC1252, 19 PC858). */
export const EPSON_CODE_PAGES: Readonly<Record<number, string>> = { 0: CP437, 2: CP850, 13: CP857, 16: WPC1252, 19: CP858 };

/** StarPRNT / Star Line `ESC GS t n` → upper half, for the pages Western text prints from (1 PC437, 4 PC858, 32 WPC1252). */
export const STAR_CODE_PAGES: Readonly<Record<number, string>> = { 1: CP437, 4: CP858, 32: WPC1252 };
