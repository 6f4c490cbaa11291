package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"
)

// bodyValue returns the named field of the request body (URL-encoded or
// multipart), never of the URL's query string: a CSRF token put in a URL
// ends up in access logs, proxy logs and the browser history. Echo's
// FormValue reads the query as well, so the CSRF checks use this instead.
// A body over the size limit is that error (413), so that an oversized
// upload is told so rather than "the form has expired".
func bodyValue(c *echo.Context, name string) (string, error) {
	r := c.Request()
	if r.PostForm == nil {
		var err error
		if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
			err = r.ParseMultipartForm(32 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil && tooLarge(err) {
			return "", echo.ErrStatusRequestEntityTooLarge
		}
	}
	return r.PostForm.Get(name), nil
}

// tooLarge reports whether err is the body limit's (http.MaxBytesReader's
// or Echo's) rather than a malformed body.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe) || errors.Is(err, echo.ErrStatusRequestEntityTooLarge)
}
