package storekit

import (
	"reflect"
	"strconv"
	"testing"

	"manyi/survey"
)

// rec builds one answer record as the adapters' load queries do.
func rec(item, value string) string {
	return item + "\x1f" + strconv.Itoa(len(value)) + "\x1f" + value
}

// TestAnswerRecords decodes aggregated answers: several values of an
// item in order, values holding the separator, empty values and
// multi-byte text, and malformed records.
func TestAnswerRecords(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    survey.Answers
		wantErr bool
	}{
		{"no answers", "", survey.Answers{}, false},
		{"one", rec("Q1", "5"), survey.Answers{"Q1": {"5"}}, false},
		{"several items and values", rec("A", "1") + rec("A", "3") + rec("B", "2"), survey.Answers{"A": {"1", "3"}, "B": {"2"}}, false},
		{"separator in an open answer", rec("S", "a\x1f12\x1fb") + rec("T", "x"), survey.Answers{"S": {"a\x1f12\x1fb"}, "T": {"x"}}, false},
		{"empty value and Chinese", rec("E", "") + rec("O", "希望多建公园"), survey.Answers{"E": {""}, "O": {"希望多建公园"}}, false},
		{"no length", "Q1\x1f5", nil, true},
		{"bad length", "Q1\x1fx\x1f5", nil, true},
		{"length past the end", "Q1\x1f9\x1f5", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AnswerRecords(tt.in, map[string]string{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A value appended to one item's slice must not overwrite the next
	// item's: the slices are capped.
	got, err := AnswerRecords(rec("A", "1")+rec("B", "2"), map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got["A"], "x")
	if got["B"][0] != "2" {
		t.Errorf("appending to A changed B to %q, want %q", got["B"][0], "2")
	}
}
