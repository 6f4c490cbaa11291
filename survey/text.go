package survey

// Languages manyi speaks. Chinese is the default.
const (
	LangZh = "zh"
	LangEn = "en"
)

// Text is a string in Chinese and English.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Get returns the text in lang, falling back to Chinese.
func (t Text) Get(lang string) string {
	if lang == LangEn && t.En != "" {
		return t.En
	}
	return t.Zh
}

// NormLang returns LangEn for "en" (any case, or en-*) and LangZh otherwise.
func NormLang(s string) string {
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') && (s[1] == 'n' || s[1] == 'N') {
		return LangEn
	}
	return LangZh
}
