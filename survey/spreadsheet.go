package survey

import (
	"strconv"
	"strings"
)

// SpreadsheetSafe returns s as a spreadsheet cell that cannot run as a
// formula: text starting with "=", "+", "-", "@", a tab or a carriage
// return gets a leading single quote, as OWASP's "CSV Injection" page
// recommends, so that a resident's answer "=HYPERLINK(...)" or
// "@SUM(...)" opened in Excel or WPS is shown, not evaluated. Numbers
// ("-3", "+1.5") are left alone: they are data, not formulas, and a
// quote would turn them into text.
func SpreadsheetSafe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}
