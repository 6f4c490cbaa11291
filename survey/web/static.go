package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/static"
)

// asset is one static file held in memory with its content hash.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// assets are the CSS and JS files, served under /static/. Pages link them
// with ?v=<hash>, so a changed file gets a new URL and the browser may keep
// each version for a year.
type assets struct {
	files map[string]*asset // "css/manyi.css" → file
}

// servedDirs are the static folders served over HTTP; fonts/ is for the PDF
// report only and stays out of reach.
var servedDirs = []string{"css", "js"}

func loadAssets() (*assets, error) {
	as := &assets{files: map[string]*asset{}}
	for _, dir := range servedDirs {
		err := fs.WalkDir(static.FS, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := static.FS.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			ct := mime.TypeByExtension(path.Ext(p))
			if ct == "" {
				ct = "application/octet-stream"
			}
			as.files[p] = &asset{body: b, ctype: ct, etag: hex.EncodeToString(sum[:8])}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("web: loading static/%s: %w", dir, err)
		}
	}
	for _, need := range []string{"css/manyi.css", "js/manyi.js"} {
		if as.files[need] == nil {
			return nil, fmt.Errorf("web: static/%s is missing", need)
		}
	}
	return as, nil
}

// url returns the versioned URL of a static file.
func (as *assets) url(name string) string {
	a := as.files[name]
	if a == nil {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + a.etag
}

// handleStatic handles GET /static/*.
func (s *Server) handleStatic(c *echo.Context) error {
	name := strings.TrimPrefix(c.Param("*"), "/")
	a := s.assets.files[name]
	if a == nil {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	etag := `"` + a.etag + `"`
	h.Set("ETag", etag)
	if c.QueryParam("v") == a.etag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, a.ctype, a.body)
}
