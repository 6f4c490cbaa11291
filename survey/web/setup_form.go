package web

import (
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"

	"manyi/survey"
)

// formValidator checks the setup forms' typed structs by their validate
// tags; errors name the form field (the struct's form tag).
var formValidator = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
})

// checkForm validates a form struct and returns one message per failing
// field, in zh and en, with the field's form name.
func checkForm(form any) []survey.FieldError {
	err := formValidator().Struct(form)
	if err == nil {
		return nil
	}
	verrs, ok := err.(validator.ValidationErrors)
	if !ok {
		return []survey.FieldError{{Message: survey.Text{Zh: "表单无法检查", En: "the form could not be checked"}}}
	}
	var out []survey.FieldError
	for _, fe := range verrs {
		var msg survey.Text
		switch fe.Tag() {
		case "required":
			msg = survey.Text{Zh: "必填", En: "required"}
		case "max":
			msg = survey.Text{Zh: "最多 " + fe.Param() + (map[bool]string{true: "", false: " 个字符"})[fe.Kind() == reflect.Int], En: "at most " + fe.Param() + (map[bool]string{true: "", false: " characters"})[fe.Kind() == reflect.Int]}
		case "min":
			msg = survey.Text{Zh: "至少 " + fe.Param(), En: "at least " + fe.Param()}
		case "oneof":
			msg = survey.Text{Zh: "应为以下之一：" + fe.Param(), En: "must be one of: " + fe.Param()}
		default:
			msg = survey.Text{Zh: "格式不正确", En: "not valid"}
		}
		out = append(out, survey.FieldError{Field: fe.Field(), Message: msg})
	}
	return out
}

// fieldMessages maps each form field to its messages in lang, joined.
func fieldMessages(fes []survey.FieldError, lang string) map[string]string {
	m := map[string]string{}
	for _, fe := range fes {
		if prev, ok := m[fe.Field]; ok {
			m[fe.Field] = prev + "；" + fe.Message.Get(lang)
		} else {
			m[fe.Field] = fe.Message.Get(lang)
		}
	}
	return m
}
