// Package static embeds manyi's CSS, JavaScript and fonts so that the binary
// serves them without files on disk and no page loads anything from another host.
package static

import "embed"

// FS holds css/, js/ and fonts/.
//
//go:embed fonts css js
var FS embed.FS

// CJKFont returns the bytes of the embedded Chinese TrueType font
// (WenQuanYi Micro Hei), used by the report PDF and charts.
func CJKFont() []byte {
	b, err := FS.ReadFile("fonts/wqy-microhei.ttf")
	if err != nil {
		panic("static: embedded font missing: " + err.Error())
	}
	return b
}
