package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/setup"
)

// newMeasurementForm is the new measurement form as posted (field names:
// docs/OFFICE.md, "Form fields").
type newMeasurementForm struct {
	TitleZh           string `form:"title" validate:"required,max=200"`
	TitleEn           string `form:"title_en" validate:"max=200"`
	CityZh            string `form:"city" validate:"required,max=100"`
	CityEn            string `form:"city_en" validate:"max=100"`
	OfficeZh          string `form:"office" validate:"max=200"`
	OfficeEn          string `form:"office_en" validate:"max=200"`
	Year              string `form:"year" validate:"required"`
	ID                string `form:"id" validate:"max=64"`
	DistrictsFrom     string `form:"districts_from" validate:"omitempty,oneof=list previous"`
	Districts         string `form:"districts" validate:"max=20000"`
	PrevID            string `form:"prev" validate:"max=64"`
	QuestionnaireFrom string `form:"questionnaire_from" validate:"max=64"`
	// A service measurement's kind and sectors (service_setup.go).
	Kind        string `form:"kind" validate:"omitempty,oneof=resident service"`
	SectorsFrom string `form:"sectors_from" validate:"omitempty,oneof=list previous"`
	Sectors     string `form:"sectors" validate:"max=20000"`
}

// newMeasurementPage is the new measurement form.
type newMeasurementPage struct {
	setupLayout
	Form     newMeasurementForm
	Errors   map[string]string // form field → message
	Previous []measurementOption
}

// measurementOption is one earlier measurement in a select.
type measurementOption struct {
	ID, Label string
}

// handleNewForm handles GET /app/measurements/new.
func (sp *setupPages) handleNewForm(c *echo.Context) error {
	f := newMeasurementForm{Year: strconv.Itoa(sp.st.s.now().In(chinaTime).Year()), DistrictsFrom: "list", QuestionnaireFrom: setup.QuestionnaireDefault}
	newServiceDefaults(&f)
	ms, err := sp.store.Measurements(c.Request().Context())
	if err != nil {
		return err
	}
	if len(ms) > 0 { // the newest measurement is the likely previous one
		f.PrevID = ms[0].ID
		f.CityZh, f.CityEn = ms[0].City.Zh, ms[0].City.En
		f.OfficeZh, f.OfficeEn = ms[0].Office.Zh, ms[0].Office.En
	}
	return sp.renderNew(c, http.StatusOK, f, nil, "")
}

func (sp *setupPages) renderNew(c *echo.Context, status int, f newMeasurementForm, errs []survey.FieldError, msg string) error {
	v := newMeasurementPage{setupLayout: sp.newSetupLayout(c, nil, "new_title"), Form: f}
	v.Error = msg
	v.Errors = fieldMessages(errs, v.Lang)
	ms, err := sp.store.Measurements(c.Request().Context())
	if err != nil {
		return err
	}
	for _, m := range ms {
		v.Previous = append(v.Previous, measurementOption{ID: m.ID, Label: m.Title.Get(v.Lang) + " (" + m.ID + ")"})
	}
	return sp.render(c, status, "setup_new.html", v)
}

// handleCreate handles POST /app/measurements: the form is checked, the
// measurement created by setup.Create (the same function `manyi
// measurement create` calls), audited, and the browser sent to its
// overview.
func (sp *setupPages) handleCreate(c *echo.Context) error {
	lang := language(c)
	f := newMeasurementForm{
		TitleZh: c.FormValue("title"), TitleEn: c.FormValue("title_en"),
		CityZh: c.FormValue("city"), CityEn: c.FormValue("city_en"),
		OfficeZh: c.FormValue("office"), OfficeEn: c.FormValue("office_en"),
		Year: strings.TrimSpace(c.FormValue("year")), ID: strings.TrimSpace(c.FormValue("id")),
		DistrictsFrom: c.FormValue("districts_from"), Districts: c.FormValue("districts"),
		PrevID: c.FormValue("prev"), QuestionnaireFrom: c.FormValue("questionnaire_from"),
		Kind: c.FormValue("kind"), SectorsFrom: c.FormValue("sectors_from"), Sectors: c.FormValue("sectors"),
	}
	errs := checkForm(f)
	year, err := strconv.Atoi(f.Year)
	if err != nil && f.Year != "" {
		errs = append(errs, survey.FieldError{Field: "year", Message: survey.Text{Zh: "年份应为数字，例如 2027", En: "the year must be a number such as 2027"}})
	}
	in := setup.NewMeasurement{
		ID:    f.ID,
		Title: survey.Text{Zh: f.TitleZh, En: f.TitleEn}, City: survey.Text{Zh: f.CityZh, En: f.CityEn},
		Office: survey.Text{Zh: strings.TrimSpace(f.OfficeZh), En: strings.TrimSpace(f.OfficeEn)},
		Year:   year, PrevID: strings.TrimSpace(f.PrevID), QuestionnaireFrom: f.QuestionnaireFrom,
		CopyDistricts: f.DistrictsFrom == "previous",
	}
	if !in.CopyDistricts {
		ds, derrs := setup.ParseDistricts(f.Districts)
		errs = append(errs, derrs...)
		in.Districts = ds
	}
	errs = append(errs, newServiceInput(f, &in)...)
	if len(errs) > 0 {
		return sp.renderNew(c, http.StatusUnprocessableEntity, f, errs, setupUI["form_errors"].Get(lang))
	}
	m, err := setup.Create(c.Request().Context(), sp.store, in, staffSession(c).User.Name)
	if err != nil {
		var se *survey.Error
		if asSurveyError(err, &se) && se.Code == survey.EINVALID {
			return sp.renderNew(c, http.StatusUnprocessableEntity, f, se.Fields, se.Message.Get(lang))
		}
		return err
	}
	if err := sp.audit(c, actionMeasurementCreate, m.ID, map[string]any{
		"year": m.Year, "kind": m.Kind, "sectors": len(m.Sectors), "districts": len(m.Districts), "prev": m.PrevID, "questionnaire_from": in.QuestionnaireFrom,
	}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/m/"+m.ID+"?done=created")
}
