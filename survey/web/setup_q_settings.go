package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/setup"
)

// settingsForm is the questionnaire-wide form: its id, title, welcome and
// thanks texts, the domains and the screen-out rules (docs/OFFICE.md,
// "Form fields"). Screen-out rule i has the fields so_<i>_item, so_<i>_in,
// so_<i>_min, so_<i>_max, so_<i>_not, so_<i>_zh, so_<i>_en and
// so_<i>_delete; the form shows one empty rule more to add one.
type settingsForm struct {
	QID                  string
	TitleZh, TitleEn     string
	WelcomeZh, WelcomeEn string
	ThanksZh, ThanksEn   string
	Domains              string // "id | 中文 | English | weight" lines
	ScreenOut            []screenOutForm
}

// screenOutForm is one screen-out rule of the settings form.
type screenOutForm struct {
	N                    int
	When                 conditionForm
	MessageZh, MessageEn string
}

// settingsPage is the questionnaire settings form.
type settingsPage struct {
	setupLayout
	Rev       int
	Edit      bool
	Form      settingsForm
	Errors    map[string]string
	Other     []problemView
	CondItems []selectOption
}

func settingsFormOf(q *survey.Questionnaire) settingsForm {
	f := settingsForm{QID: q.ID, TitleZh: q.Title.Zh, TitleEn: q.Title.En, WelcomeZh: q.Welcome.Zh, WelcomeEn: q.Welcome.En,
		ThanksZh: q.Thanks.Zh, ThanksEn: q.Thanks.En}
	var b strings.Builder
	for _, d := range q.Domains {
		b.WriteString(d.ID + " | " + d.Name.Zh + " | " + d.Name.En)
		if d.Weight != 0 {
			b.WriteString(" | " + strconv.FormatFloat(d.Weight, 'f', -1, 64))
		}
		b.WriteByte('\n')
	}
	f.Domains = b.String()
	for i, so := range q.ScreenOut {
		w := so.When
		f.ScreenOut = append(f.ScreenOut, screenOutForm{N: i, When: conditionOf(&w), MessageZh: so.Message.Zh, MessageEn: so.Message.En})
	}
	f.ScreenOut = append(f.ScreenOut, screenOutForm{N: len(q.ScreenOut)})
	return f
}

func readSettingsForm(c *echo.Context) settingsForm {
	f := formFields(c, "qid", "title_zh", "title_en", "welcome_zh", "welcome_en", "thanks_zh", "thanks_en")
	sf := settingsForm{QID: f["qid"], TitleZh: f["title_zh"], TitleEn: f["title_en"], WelcomeZh: f["welcome_zh"], WelcomeEn: f["welcome_en"],
		ThanksZh: f["thanks_zh"], ThanksEn: f["thanks_en"], Domains: c.FormValue("domains")}
	for i := 0; i < 100; i++ {
		p := "so_" + strconv.Itoa(i) + "_"
		item := strings.TrimSpace(c.FormValue(p + "item"))
		zh, en := strings.TrimSpace(c.FormValue(p+"zh")), strings.TrimSpace(c.FormValue(p+"en"))
		if c.FormValue(p+"delete") != "" {
			continue
		}
		if item == "" && zh == "" && en == "" {
			if _, posted := c.Request().PostForm[p+"item"]; !posted {
				break
			}
			continue // the empty row for a new rule
		}
		sf.ScreenOut = append(sf.ScreenOut, screenOutForm{N: len(sf.ScreenOut), MessageZh: zh, MessageEn: en, When: conditionForm{
			Item: item, In: strings.TrimSpace(c.FormValue(p + "in")), Min: strings.TrimSpace(c.FormValue(p + "min")),
			Max: strings.TrimSpace(c.FormValue(p + "max")), Not: c.FormValue(p+"not") != ""}})
	}
	return sf
}

// apply puts the form into q.
func (f settingsForm) apply(q *survey.Questionnaire) fieldErrs {
	var fe fieldErrs
	q.ID = f.QID
	q.Title = survey.Text{Zh: f.TitleZh, En: f.TitleEn}
	q.Welcome = survey.Text{Zh: f.WelcomeZh, En: f.WelcomeEn}
	q.Thanks = survey.Text{Zh: f.ThanksZh, En: f.ThanksEn}
	q.Domains = nil
	for n, line := range strings.Split(strings.ReplaceAll(f.Domains, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == '\t' })
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if len(parts) < 2 || len(parts) > 4 {
			fe.add("domains", "第 "+strconv.Itoa(n+1)+" 行应为：编号 | 中文 | 英文 | 权重（可选）", "line "+strconv.Itoa(n+1)+" should read: id | Chinese | English | weight (optional)")
			continue
		}
		d := survey.Domain{ID: parts[0], Name: survey.Text{Zh: parts[1]}}
		if len(parts) >= 3 {
			d.Name.En = parts[2]
		}
		if len(parts) == 4 && parts[3] != "" {
			w, err := strconv.ParseFloat(parts[3], 64)
			if err != nil {
				fe.add("domains", "第 "+strconv.Itoa(n+1)+" 行：权重应为数字", "line "+strconv.Itoa(n+1)+": the weight must be a number")
			}
			d.Weight = w
		}
		q.Domains = append(q.Domains, d)
	}
	q.ScreenOut = nil
	for _, so := range f.ScreenOut {
		w := so.When.build(&fe)
		if w == nil {
			fe.add("so_"+strconv.Itoa(so.N)+"_item", "请选择条件所依据的题目", "choose the item the rule looks at")
			continue
		}
		q.ScreenOut = append(q.ScreenOut, survey.ScreenOut{When: *w, Message: survey.Text{Zh: so.MessageZh, En: so.MessageEn}})
	}
	return fe
}

// handleSettingsForm handles GET /app/m/:id/questionnaire/settings.
func (sp *setupPages) handleSettingsForm(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	return sp.renderSettings(c, http.StatusOK, d, d.rev.Q, settingsFormOf(d.rev.Q), nil)
}

func (sp *setupPages) renderSettings(c *echo.Context, status int, d *draft, q *survey.Questionnaire, f settingsForm, fe fieldErrs) error {
	l := sp.newSetupLayout(c, d.m, "settings_title")
	v := settingsPage{setupLayout: l, Rev: d.rev.Rev, Edit: l.CanEdit && !d.locked, Form: f, CondItems: conditionItems(q, len(q.Pages), l.Lang)}
	v.Errors = fieldMessages(fe, l.Lang)
	for _, p := range setup.ProblemsAt(q, setup.Problems(d.m, q))[""] {
		head, rest, _ := strings.Cut(p.Path, ".")
		field := ""
		switch {
		case head == "id":
			field = "qid"
		case head == "title" || head == "welcome" || head == "thanks":
			field = head + "_" + lastLang(rest)
		case strings.HasPrefix(head, "domains"):
			field = "domains"
		case strings.HasPrefix(head, "screen_out["):
			n := strings.TrimSuffix(strings.TrimPrefix(head, "screen_out["), "]")
			field = "so_" + n + "_item"
			if strings.HasPrefix(rest, "message") {
				field = "so_" + n + "_" + lastLang(rest)
			}
		}
		if field == "" {
			v.Other = append(v.Other, problemView{p.Path, p.Message})
		} else if v.Errors[field] == "" {
			v.Errors[field] = p.Message
		} else {
			v.Errors[field] += "；" + p.Message
		}
	}
	return sp.render(c, status, "setup_q_settings.html", v)
}

// handleSettingsSave handles POST /app/m/:id/questionnaire/settings.
func (sp *setupPages) handleSettingsSave(c *echo.Context) error {
	d, err := sp.loadDraft(c)
	if err != nil {
		return err
	}
	f := readSettingsForm(c)
	q := setup.Clone(d.rev.Q)
	if fe := f.apply(q); len(fe) > 0 {
		f.ScreenOut = append(f.ScreenOut, screenOutForm{N: len(f.ScreenOut)})
		return sp.renderSettings(c, http.StatusUnprocessableEntity, d, d.rev.Q, f, fe)
	}
	if _, err := sp.save(c, d, q, "settings edited"); err != nil {
		return sp.conflict(c, err)
	}
	if len(setup.ProblemsAt(q, setup.Problems(d.m, q))[""]) > 0 {
		return c.Redirect(http.StatusSeeOther, "/app/m/"+d.m.ID+"/questionnaire/settings?done=saved_problems")
	}
	return c.Redirect(http.StatusSeeOther, editorURL(d.m.ID, "saved", ""))
}
