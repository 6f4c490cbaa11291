package fieldwork

import (
	"testing"

	"manyi/survey"
	"manyi/survey/sampling"
)

func TestQuotaCellOf(t *testing.T) {
	q := &survey.Questionnaire{Pages: []survey.Page{{ID: "screener", Kind: "screener", Items: []survey.Item{
		{ID: "age", Type: survey.TypeNumber, Role: "age"},
		{ID: "band", Type: survey.TypeSingle, Role: "age_band", Choices: []survey.Choice{{Code: "1", Label: survey.Text{Zh: "18–29 岁"}}, {Code: "2", Label: survey.Text{Zh: "30至44"}}}},
		{ID: "dist", Type: survey.TypeSingle, Role: "district", Choices: []survey.Choice{{Code: "a", Label: survey.Text{Zh: "东城区"}}, {Code: "d2", Label: survey.Text{Zh: "西城区"}}}},
		{ID: "sex", Type: survey.TypeSingle, Role: "gender", Choices: []survey.Choice{{Code: "1", Label: survey.Text{Zh: "男"}}, {Code: "2", Label: survey.Text{Zh: "女", En: "Female"}}}},
	}}}}
	districts := []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区"}}, {Code: "d2", Name: survey.Text{Zh: "西城区"}}}
	tests := []struct {
		name                string
		ans                 survey.Answers
		district, gen, band string
	}{
		{"by age", survey.Answers{"age": {"35"}, "dist": {"d2"}, "sex": {"1"}}, "d2", "male", "30-44"},
		{"district by label", survey.Answers{"age": {"18"}, "dist": {"a"}, "sex": {"2"}}, "d1", "female", "18-29"},
		{"band item", survey.Answers{"band": {"2"}, "dist": {"d2"}}, "d2", "", "30-44"},
		{"out of population", survey.Answers{"age": {"71"}, "dist": {"d2"}}, "d2", "", ""},
		{"nothing", survey.Answers{}, "", "", ""},
		{"unknown district", survey.Answers{"dist": {"zz"}}, "", "", ""},
	}
	for _, tc := range tests {
		d, g, b := QuotaCellOf(q, tc.ans, districts)
		if d != tc.district || g != tc.gen || b != tc.band {
			t.Errorf("%s: got %q %q %q, want %q %q %q", tc.name, d, g, b, tc.district, tc.gen, tc.band)
		}
	}
}

func TestShortfall(t *testing.T) {
	for _, tc := range []struct{ target, completes, want int }{{10, 3, 7}, {10, 10, 0}, {10, 12, 0}, {0, 0, 0}} {
		if got := (QuotaCell{Target: tc.target, Completes: tc.completes}).Shortfall(); got != tc.want {
			t.Errorf("Shortfall(target %d, completes %d) = %d, want %d", tc.target, tc.completes, got, tc.want)
		}
	}
}

// TestAAPORDisposition checks how the call record puts an open case in
// AAPOR's non-contact (2.21) or other (2.32, 2.33) groups, and that it
// never overrides what the questionnaire or a refusal established.
func TestAAPORDisposition(t *testing.T) {
	for _, tc := range []struct{ disp, last, want string }{
		{sampling.DispSent, OutcomeNotAvailable, sampling.DispNonContact},
		{sampling.DispNotSent, OutcomeNotAvailable, sampling.DispNonContact},
		{sampling.DispOpened, OutcomeNotAvailable, sampling.DispNonContact},
		{sampling.DispUnreachable, OutcomeNotAvailable, sampling.DispNonContact},
		{sampling.DispSent, OutcomeUnable, sampling.DispOther},
		{sampling.DispSent, OutcomeLanguage, sampling.DispOther},
		{sampling.DispOpened, OutcomeCallback, sampling.DispOpened},
		{sampling.DispSent, "", sampling.DispSent},
		{sampling.DispPartial, OutcomeNotAvailable, sampling.DispPartial},
		{sampling.DispRefused, OutcomeLanguage, sampling.DispRefused},
		{sampling.DispComplete, OutcomeUnable, sampling.DispComplete},
		{sampling.DispScreenedOut, OutcomeNotAvailable, sampling.DispScreenedOut},
	} {
		if got := AAPORDisposition(tc.disp, tc.last); got != tc.want {
			t.Errorf("AAPORDisposition(%s, %q) = %s, want %s", tc.disp, tc.last, got, tc.want)
		}
	}
	for _, o := range NoContactOutcomes {
		if AAPORDisposition(sampling.DispSent, o) != sampling.DispSent {
			t.Errorf("a no-contact outcome %s changed the AAPOR group", o)
		}
	}
}
