package invite

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// Issuer is what issuing links needs of a store (fieldwork.OfficeStore has
// it).
type Issuer interface {
	Measurement(ctx context.Context, id string) (*survey.Measurement, error)
	IssueLinks(ctx context.Context, measurementID string, sel fieldwork.LinkSelection, key *secret.Key, by string) ([]fieldwork.IssuedLink, error)
}

// Invitation channels.
const (
	ChannelSMS      = "sms"      // the SMS gateway CSV
	ChannelQR       = "qr"       // the QR-code sheet PDF
	ChannelReminder = "reminder" // an SMS file of new links for those who have not finished
)

// IssueRequest says which links to issue and how to write them.
type IssueRequest struct {
	Channel   string // ChannelSMS, ChannelQR or ChannelReminder
	BaseURL   string // the public address the links start with
	Template  string // the SMS text with {link}, {city}, {title} (SMS and reminder)
	Resend    bool   // SMS and QR: also cases sent before (their old link stops working)
	Districts []string
	Batches   []int // reserve batches (0 the main sample); empty: all released
	Limit     int
	Lang      string // language of the QR sheet's district names
	By        string
}

// IssuedFile is an issued file: its bytes (personal links, and phone
// numbers for SMS: hand it only to the gateway), its name and how many
// links it issued. Warnings are the template's notes (long messages).
type IssuedFile struct {
	Data     []byte
	Name     string
	Type     string // MIME type
	Links    int
	Warnings []survey.Text
}

// Issue issues links and writes the file of the channel: the one path of
// `manyi invitations sms|qr` and the invitations page. Every chosen case
// gets a new link (an earlier one stops working) and is marked sent.
func Issue(ctx context.Context, st Issuer, measurementID string, req IssueRequest, key *secret.Key) (*IssuedFile, error) {
	m, err := st.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	if _, err := Link(req.BaseURL, "x"); err != nil {
		return nil, err
	}
	sel := fieldwork.LinkSelection{Limit: req.Limit, Districts: req.Districts, Batches: req.Batches}
	switch req.Channel {
	case ChannelSMS, ChannelReminder:
		if _, err := ParseTemplate(req.Template); err != nil {
			return nil, err
		}
		if key == nil {
			return nil, survey.Errorf(survey.EINVALID, "服务器未设置联系方式密钥 %s，无法生成短信文件", "%s is not set, so no SMS file can be made", secret.EnvKey)
		}
		sel.WithContact = true
	case ChannelQR:
	default:
		return nil, survey.Errorf(survey.EINVALID, "未知的邀请方式 %q", "unknown invitation channel %q", req.Channel)
	}
	switch {
	case req.Channel == ChannelReminder:
		sel.Dispositions = fieldwork.ReminderDispositions
	case req.Resend:
		sel.Dispositions = []string{sampling.DispNotSent, sampling.DispSent}
	}
	links, err := st.IssueLinks(ctx, measurementID, sel, key, req.By)
	if err != nil {
		return nil, err
	}
	if len(links) == 0 {
		if req.Channel == ChannelReminder {
			return nil, survey.Errorf(survey.ENOTFOUND, "没有需要提醒的样本（已发送但未完成、未拒访、有联系方式）",
				"no cases to remind (sent, not finished, not refused, with a contact)")
		}
		return nil, survey.Errorf(survey.ENOTFOUND, "没有符合条件的样本（已启用、未发送、短信需有联系方式）",
			"no cases to invite (released, not sent yet, with a contact for SMS)")
	}
	out := &IssuedFile{Links: len(links)}
	stamp := time.Now().UTC().Format("20060102-150405")
	if req.Channel == ChannelQR {
		names := map[string]string{}
		for _, d := range m.Districts {
			names[d.Code] = d.Name.Get(req.Lang)
		}
		es := make([]QREntry, len(links))
		for i, k := range links {
			u, _ := Link(req.BaseURL, k.Token)
			es[i] = QREntry{CaseID: k.UnitID, District: names[k.District], URL: u}
			if sec := m.Sector(k.Sector); sec != nil {
				es[i].Sector = sec.Name.Get(req.Lang)
			}
		}
		if out.Data, err = QRSheet(es, QROptions{Title: m.Title.Zh}); err != nil {
			return nil, err
		}
		out.Name, out.Type = fmt.Sprintf("%s-qr-%s-%dlinks.pdf", measurementID, stamp, out.Links), "application/pdf"
		return out, nil
	}
	rows := make([]SMSRow, len(links))
	for i, k := range links {
		u, _ := Link(req.BaseURL, k.Token)
		rows[i] = SMSRow{Contact: k.Contact, Link: u, Sector: k.Sector, City: m.City.Zh, Title: m.Title.Zh}
	}
	out.Warnings, _ = Warnings(rows, req.Template)
	var buf bytes.Buffer
	if err := WriteSMS(&buf, rows, req.Template); err != nil {
		return nil, err
	}
	out.Data, out.Type = buf.Bytes(), "text/csv; charset=utf-8"
	out.Name = fmt.Sprintf("%s-%s-%s-%dlinks.csv", measurementID, req.Channel, stamp, out.Links)
	return out, nil
}
