// Package templates embeds manyi's html/template files so that the binary
// carries them (//go:embed cannot reach a parent folder).
package templates

import "embed"

// FS holds every *.html file of this folder and its subfolders.
//
//go:embed *.html
var FS embed.FS
