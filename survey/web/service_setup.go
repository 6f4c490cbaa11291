package web

import (
	"manyi/survey"
	"manyi/survey/setup"
)

// The new measurement form's kind and sectors (fields kind, sectors_from,
// sectors; docs/SERVICE.md).

func init() {
	for k, v := range serviceSetupUI {
		// A key of both maps would give one of its two labels to the
		// other's pages ("f_kind" once named the page kind "Kind of
		// measurement").
		if _, ok := setupUI[k]; ok {
			panic("web: serviceSetupUI key " + k + " is also a setupUI key")
		}
		setupUI[k] = v
	}
}

var serviceSetupUI = map[string]survey.Text{
	"f_mkind":         {Zh: "测评类型", En: "Kind of measurement"},
	"f_kind_resident": {Zh: "市民质量满意度测评（按区县抽样居民）", En: "Residents' quality satisfaction (residents sampled by district)"},
	"f_kind_service":  {Zh: "服务业顾客满意度测评（CCSI 模型，按行业 × 区县访问顾客）", En: "Service-industry customer satisfaction (CCSI model, customers by sector × district)"},
	"f_sectors":       {Zh: "行业（仅服务业测评）", En: "Sectors (service measurement only)"},
	"f_sectors_list":  {Zh: "填写行业", En: "List the sectors"},
	"f_sectors_label": {Zh: "每行一个：代码 | 中文名称 | 英文名称（可选）", En: "One per line: code | Chinese name | English name (optional)"},
	"f_sectors_hint":  {Zh: "代码以小写字母开头，只含小写字母、数字和 _，如 retail。行业会成为问卷中“您最近三个月使用了哪个行业的服务”的选项；默认问卷是 CCSI 模板，各行业可在问卷编辑器中改写或增加题目。", En: "Codes start with a lower-case letter and contain only lower-case letters, digits and _, e.g. retail. The sectors become the choices of the screener's sector question; the default questionnaire is the CCSI template, and each sector's items can be reworded or added in the editor."},
	"f_sectors_prev":  {Zh: "沿用上一次测评的行业", En: "Copy the sectors of the previous measurement"},
}

// newServiceDefaults fills a fresh form's sector list with the default
// sectors (used only when the office picks the service kind).
func newServiceDefaults(f *newMeasurementForm) {
	f.Kind, f.SectorsFrom = survey.KindResident, "list"
	f.Sectors = setup.FormatSectors(survey.DefaultSectors())
}

// newServiceInput reads the kind and sectors of the posted form into in;
// the problems name the field "sectors".
func newServiceInput(f newMeasurementForm, in *setup.NewMeasurement) []survey.FieldError {
	in.Kind = f.Kind
	if f.Kind != survey.KindService {
		return nil
	}
	if f.SectorsFrom == "previous" {
		in.CopySectors = true
		return nil
	}
	ss, errs := setup.ParseSectors(f.Sectors)
	in.Sectors = ss
	return errs
}
