package storekit

import "testing"

// TestRebind numbers the placeholders and leaves quoted text and comments
// alone.
func TestRebind(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"none", `SELECT 1`, `SELECT 1`},
		{"several", `SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		{"string literal", `SELECT '?' || ? FROM t`, `SELECT '?' || $1 FROM t`},
		{"quoted identifier", `SELECT "a?" FROM t WHERE x = ?`, `SELECT "a?" FROM t WHERE x = $1`},
		{"comment", "SELECT ? -- why?\nFROM t WHERE x = ?", "SELECT $1 -- why?\nFROM t WHERE x = $2"},
		{"unterminated quote", `SELECT ? 'a?`, `SELECT $1 'a?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rebind(tt.in); got != tt.want {
				t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	d := &Dialect{Dollar: true}
	if a, b := d.SQL(`x = ?`), d.SQL(`x = ?`); a != "x = $1" || b != a {
		t.Errorf("Dialect.SQL = %q, %q, want x = $1 twice", a, b)
	}
	if got := (&Dialect{}).SQL(`x = ?`); got != "x = ?" {
		t.Errorf("Dialect.SQL without Dollar = %q, want x = ?", got)
	}
}
