package demo

import (
	"context"

	"manyi/survey"
)

// ID is the demo measurement's id.
const ID = "demo-2026"

// Measurement returns a fresh copy of the demo measurement (status open).
func Measurement() *survey.Measurement {
	t := func(zh, en string) survey.Text { return survey.Text{Zh: zh, En: en} }
	return &survey.Measurement{
		ID:     ID,
		City:   t("示例市", "Example City"),
		Title:  t("示例市 2026 年市民质量满意度测评", "Example City 2026 Residents' Quality Satisfaction Measurement"),
		Year:   2026,
		Office: t("示例市质量强市工作领导小组办公室", "Office of the Example City Quality City Leading Group"),
		Status: survey.StatusOpen,
		Kind:   survey.KindResident,
		Districts: []survey.District{
			{Code: "d1", Name: t("东城区", "Dongcheng District")},
			{Code: "d2", Name: t("西城区", "Xicheng District")},
			{Code: "d3", Name: t("南湖区", "Nanhu District")},
			{Code: "d4", Name: t("北山区", "Beishan District")},
			{Code: "d5", Name: t("滨江新区", "Binjiang New Area")},
			{Code: "d6", Name: t("青溪县", "Qingxi County")},
		},
	}
}

// Ensure creates the demo measurement with the default questionnaire
// unless a measurement with its id exists. created reports whether it made
// it; an existing demo is left as it is, answers included.
func Ensure(ctx context.Context, st survey.Store) (created bool, err error) {
	_, err = st.Measurement(ctx, ID)
	switch survey.ErrorCode(err) {
	case "":
		return false, nil
	case survey.ENOTFOUND:
	default:
		return false, err
	}
	err = st.CreateMeasurement(ctx, Measurement(), survey.DefaultQuestionnaire())
	if survey.ErrorCode(err) == survey.ECONFLICT {
		// Another process created it between the lookup and the insert.
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}
