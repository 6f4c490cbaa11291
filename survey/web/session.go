package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// validToken reports whether s looks like an invitation token (base64url or
// base32 text of 16–128 characters). Anything else is answered with 404
// without touching the database.
func validToken(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// csrfToken is the form's anti-forgery value: an HMAC of the invitation
// token's hash with the server secret. It needs no server-side state, and a
// form from one link cannot be posted to another.
func (s *Server) csrfToken(token string) string {
	h := sha256.Sum256([]byte(token))
	m := hmac.New(sha256.New, s.secret)
	m.Write(h[:])
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) csrfOK(token, got string) bool {
	return hmac.Equal([]byte(s.csrfToken(token)), []byte(got))
}

// langCookie is the cookie that remembers the language choice.
const langCookie = "lang"

// language picks the page language: ?lang= (remembered in a cookie), then
// the cookie, then Chinese.
func language(c *echo.Context) string {
	if l, ok := c.Get(langCookie).(string); ok {
		return l // decided earlier in this request (the error handler asks again)
	}
	l := chooseLanguage(c)
	c.Set(langCookie, l)
	return l
}

func chooseLanguage(c *echo.Context) string {
	if q := c.QueryParam("lang"); q != "" {
		lang := survey.NormLang(q)
		c.SetCookie(&http.Cookie{
			Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
		return lang
	}
	if ck, err := c.Cookie(langCookie); err == nil {
		return survey.NormLang(ck.Value)
	}
	return survey.LangZh
}

// uaClass sorts a User-Agent into the paradata classes mobile, tablet,
// desktop, bot and other. Only the class is kept, never the string.
func uaClass(ua string) string {
	l := strings.ToLower(ua)
	switch {
	case l == "":
		return "other"
	case containsAny(l, "bot", "crawler", "spider", "slurp", "curl", "wget", "python", "go-http-client", "headless", "preview"):
		return "bot"
	case containsAny(l, "ipad", "tablet", "kindle", "silk") || (strings.Contains(l, "android") && !strings.Contains(l, "mobile")):
		return "tablet"
	case containsAny(l, "mobi", "iphone", "ipod", "android", "windows phone", "micromessenger"):
		return "mobile"
	case containsAny(l, "windows", "macintosh", "mac os x", "x11", "linux", "cros"):
		return "desktop"
	}
	return "other"
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// maxOnPage caps the time on a page: a phone left on the table for a day is
// not a day of answering.
const maxOnPage = 2 * time.Hour

// elapsed is the time on page from the form's _shown value (unix ms written
// when the page was rendered), clamped to [0, maxOnPage]; 0 when absent.
func elapsed(shown string, now time.Time) time.Duration {
	ms, err := strconv.ParseInt(shown, 10, 64)
	if err != nil || ms <= 0 {
		return 0
	}
	d := now.Sub(time.UnixMilli(ms))
	if d < 0 {
		return 0
	}
	if d > maxOnPage {
		return maxOnPage
	}
	return d
}
