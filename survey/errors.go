package survey

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to an HTTP status and a page.
const (
	EINVALID      = "invalid"      // the input is wrong: 400/422
	ENOTFOUND     = "not_found"    // no such thing: 404
	ECONFLICT     = "conflict"     // the state forbids it (already submitted, frozen): 409
	EUNAUTHORIZED = "unauthorized" // not logged in: 401
	EFORBIDDEN    = "forbidden"    // logged in, but the role may not: 403
	EGONE         = "gone"         // closed measurement, used link: 410
	ETOOLARGE     = "too_large"    // body over the limit: 413
	ETOOMANY      = "too_many"     // a rate limit: 429
	ENOSPACE      = "no_space"     // the disk is full: 507, logged; nothing was changed
	EINTERNAL     = "internal"     // a bug or an outage: 500, logged, never shown
)

// FieldError is a message attached to one question (item id) or form field.
type FieldError struct {
	Field   string // item id or form field name
	Message Text
}

// Error is the one error type of the domain. Message is shown to the user
// (zh and en); Fields carry per-question messages for forms.
type Error struct {
	Code    string
	Message Text
	Fields  []FieldError
}

// Error implements error with the English message (logs are English).
func (e *Error) Error() string {
	if e.Message.En != "" {
		return e.Message.En
	}
	return e.Message.Zh
}

// Errorf returns an *Error with the code and both texts. The same args are
// formatted into both texts.
func Errorf(code, zh, en string, args ...any) *Error {
	return &Error{Code: code, Message: Text{Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...)}}
}

// ErrorCode returns the code of an *Error in err's chain, EINTERNAL otherwise
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing text of err in lang; internal errors
// get a plain sentence, never their details.
func ErrorMessage(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message.Get(lang)
	}
	return Text{Zh: "系统出现错误，请稍后再试。", En: "Something went wrong on our side. Please try again later."}.Get(lang)
}
