package web

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/labstack/echo/v5"

	"manyi/templates"
)

// pageSet is a group of staff pages that share a parts template (the
// setup pages, the office's fieldwork pages): each page file parsed over
// staff_base.html and the parts, and the error that turns the group off
// when it could not be set up.
type pageSet struct {
	views map[string]*template.Template
	err   error
}

// parsePageSet parses each of files over staff_base.html and the parts
// templates they share.
func parsePageSet(files []string, parts ...string) (map[string]*template.Template, error) {
	base, err := template.New("staff_base.html").ParseFS(templates.FS, "staff_base.html")
	if err != nil {
		return nil, fmt.Errorf("web: parsing templates/staff_base.html: %w", err)
	}
	sets := map[string]*template.Template{}
	for _, name := range files {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templates.FS, append(parts[:len(parts):len(parts)], name)...)
		}
		if err != nil {
			return nil, fmt.Errorf("web: parsing templates/%s: %w", name, err)
		}
		sets[name] = t
	}
	return sets, nil
}

// ok fails a request when the group's pages could not be set up.
func (ps *pageSet) ok(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if ps.err != nil {
			return ps.err
		}
		return h(c)
	}
}

// render executes a page of the group into a buffer and sends it uncached.
func (ps *pageSet) render(c *echo.Context, status int, file string, data any) error {
	return renderStaffPage(c, ps.views, status, file, data)
}

// renderStaffPage executes file of views into a buffer (a template error
// becomes a clean 500) and sends it uncached: staff pages show accounts,
// contacts and results.
func renderStaffPage(c *echo.Context, views map[string]*template.Template, status int, file string, data any) error {
	t := views[file]
	if t == nil {
		return fmt.Errorf("web: no template %s", file)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "staff_base.html", data); err != nil {
		return fmt.Errorf("web: rendering %s: %w", file, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}
