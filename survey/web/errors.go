package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v5"

	"manyi/survey"
)

// statusOf maps a domain error code to its HTTP status.
var statusOf = map[string]int{
	survey.EINVALID:      http.StatusUnprocessableEntity,
	survey.ENOTFOUND:     http.StatusNotFound,
	survey.ECONFLICT:     http.StatusConflict,
	survey.EUNAUTHORIZED: http.StatusUnauthorized,
	survey.EFORBIDDEN:    http.StatusForbidden,
	survey.EGONE:         http.StatusGone,
	survey.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	survey.ETOOMANY:      http.StatusTooManyRequests,
	survey.ENOSPACE:      http.StatusInsufficientStorage,
	survey.EINTERNAL:     http.StatusInternalServerError,
}

// errorTexts are the heading and the default sentence of each error page.
var errorTexts = map[int][2]survey.Text{
	http.StatusBadRequest: {
		{Zh: "请求有误", En: "Bad request"},
		{Zh: "无法处理这个请求，请重新打开您的邀请链接。", En: "This request could not be handled. Please open your invitation link again."}},
	http.StatusForbidden: {
		{Zh: "表单已过期", En: "This form has expired"},
		{Zh: "表单已过期或来源不明，请重新打开您的邀请链接。", En: "This form has expired or did not come from this site. Please open your invitation link again."}},
	http.StatusNotFound: {
		{Zh: "找不到页面", En: "Page not found"},
		{Zh: "这个链接无效。请检查链接是否完整，或联系发送邀请的单位。", En: "This link is not valid. Please check that the whole link was copied, or contact the office that invited you."}},
	http.StatusMethodNotAllowed: {
		{Zh: "请求有误", En: "Bad request"},
		{Zh: "此页面不支持这种操作。", En: "This page does not support that action."}},
	http.StatusConflict: {
		{Zh: "暂时无法保存", En: "This cannot be saved now"},
		{Zh: "这一页现在不能提交。请返回问卷，从当前页继续。", En: "This page cannot be submitted now. Please return to the survey and continue from the current page."}},
	http.StatusGone: {
		{Zh: "测评已结束", En: "This survey has closed"},
		{Zh: "本次测评已经结束，不再接受答卷。感谢您的关注！", En: "This survey has closed and no longer accepts answers. Thank you for your interest!"}},
	http.StatusRequestEntityTooLarge: {
		{Zh: "提交的内容过长", En: "Too much text"},
		{Zh: "您提交的内容超过了 64 KB 的上限。请返回上一页，缩短填写的文字后再提交。", En: "What you sent is longer than the 64 KB limit. Please go back, shorten your text and submit again."}},
	http.StatusTooManyRequests: {
		{Zh: "尝试次数过多", En: "Too many attempts"},
		{Zh: "请求过于频繁，请等一两分钟再试。", En: "Too many requests. Please wait a minute or two and try again."}},
	http.StatusUnprocessableEntity: {
		{Zh: "内容有误", En: "Something is not right"},
		{Zh: "提交的内容有误，请返回修改。", En: "Something in the form is not right. Please go back and correct it."}},
	http.StatusInsufficientStorage: {
		{Zh: "暂时无法保存", En: "Your answers cannot be saved just now"},
		{Zh: "服务器暂时无法保存新的回答。请过几分钟再提交这一页；您之前已保存的回答不会丢失。", En: "The server cannot save new answers just now. Please submit this page again in a few minutes; the answers you saved before are kept."}},
	http.StatusInternalServerError: {
		{Zh: "系统繁忙", En: "Something went wrong"},
		{Zh: "系统出现错误，请稍后再试。您已保存的回答不会丢失。", En: "Something went wrong on our side. Please try again later; the answers you saved are kept."}},
}

// errUploadTooLarge is the 413 of an upload route.
var errUploadTooLarge = survey.Text{
	Zh: fmt.Sprintf("上传的文件超过 %d MB，未上传，也没有保存任何内容。请分成几个文件，或删去不需要的列后再上传。", maxUpload>>20),
	En: fmt.Sprintf("The file is larger than %d MB and was not uploaded; nothing was saved. Split it, or remove columns that are not needed, and upload again.", maxUpload>>20),
}

// handleError is the one error handler: it maps survey error codes and
// Echo's status errors to a status and a friendly page in the resident's
// language. Internal errors are logged and never shown.
func (s *Server) handleError(c *echo.Context, err error) {
	if r, uerr := echo.UnwrapResponse(c.Response()); uerr == nil && r.Committed {
		s.log.Error("error after the response was sent", "route", c.Path(), "err", err)
		return
	}
	status := http.StatusInternalServerError
	var msg survey.Text
	var se *survey.Error
	switch {
	case errors.As(err, &se):
		if st, ok := statusOf[se.Code]; ok {
			status = st
		}
		if status < 500 {
			msg = se.Message
		}
	case echo.StatusCode(err) != 0:
		status = echo.StatusCode(err)
	}
	if status >= 500 {
		s.log.Error("internal error", "route", c.Path(), "err", err)
	}
	texts, ok := errorTexts[status]
	if !ok {
		texts = errorTexts[http.StatusBadRequest]
		if status >= 500 {
			texts = errorTexts[http.StatusInternalServerError]
		}
	}
	if msg.Zh == "" {
		msg = texts[1]
		if status == http.StatusRequestEntityTooLarge && largeBodyRoutes[c.Request().Method+" "+c.Path()] {
			msg = errUploadTooLarge
		}
	}
	lang := language(c)
	v := errorPage{
		layout:  s.newLayout(lang, ui["site"].Get(lang), texts[0].Get(lang), c.Request().URL.Path),
		Status:  status,
		Heading: texts[0].Get(lang),
		Message: msg.Get(lang),
	}
	// From a page of a survey that still exists, offer the way back.
	if tok := c.Param("token"); validToken(tok) && (status == http.StatusConflict || status == http.StatusForbidden || status == http.StatusRequestEntityTooLarge || status == http.StatusUnprocessableEntity || status == http.StatusInsufficientStorage) {
		v.BackURL = surveyURL(tok)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if rerr := s.render(c, status, "error.html", v); rerr != nil {
		s.log.Error("rendering the error page", "err", rerr)
		_ = c.String(status, texts[1].Get(lang))
	}
}
