package invite

import (
	"net/url"
	"strings"

	"manyi/survey"
)

// Link returns the resident's personal link for token under baseURL
// ("https://my.example.gov.cn" → "https://my.example.gov.cn/s/TOKEN"). The
// base must be an absolute http or https URL without query or fragment; a
// path prefix ("https://example.gov.cn/manyi") is kept.
func Link(baseURL, token string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", survey.Errorf(survey.EINVALID,
			"链接地址“%s”无效：应为 http:// 或 https:// 开头的完整网址，不带查询参数",
			"base URL %q is invalid: it must be an absolute http:// or https:// URL without query or fragment", baseURL)
	}
	if token == "" || strings.ContainsAny(token, "/?#% ") {
		return "", survey.Errorf(survey.EINVALID, "邀请令牌为空或含有非法字符", "invitation token is empty or has characters a link cannot carry")
	}
	return strings.TrimRight(u.String(), "/") + "/s/" + token, nil
}
