package transform

import (
	"encoding/xml"
)

// xmlTokens is a token stream: encoding/xml's, or the fast subset's, which
// answers every problem with errXMLFallback so that encoding/xml reads the
// document again and reports it.
type xmlTokens interface {
	next() (xmlTokKind, error) // io.EOF at the end
	startTok() xml.StartElement
	endTok() xml.EndElement
	textTok() []byte
	directiveTok() []byte
	errAt(format string, args ...any) error // a problem the reader found, at the current position
	syntaxErr(err error) error              // an error of next
	fail(format string, args ...any) error  // a problem without a position
}

type stdXMLTokens struct {
	d   *xml.Decoder
	tok xml.Token
}

func (t *stdXMLTokens) next() (xmlTokKind, error) {
	for {
		tok, err := t.d.RawToken()
		if err != nil {
			return 0, err
		}
		t.tok = tok
		switch tok.(type) {
		case xml.StartElement:
			return xmlTokStart, nil
		case xml.EndElement:
			return xmlTokEnd, nil
		case xml.CharData:
			return xmlTokText, nil
		case xml.Directive:
			return xmlTokDirective, nil
		}
	}
}

func (t *stdXMLTokens) startTok() xml.StartElement { return t.tok.(xml.StartElement) }
func (t *stdXMLTokens) endTok() xml.EndElement     { return t.tok.(xml.EndElement) }
func (t *stdXMLTokens) textTok() []byte            { return t.tok.(xml.CharData) }
func (t *stdXMLTokens) directiveTok() []byte       { return t.tok.(xml.Directive) }
func (t *stdXMLTokens) errAt(format string, args ...any) error {
	return xmlErrorAt(t.d, format, args...)
}
func (t *stdXMLTokens) syntaxErr(err error) error { return xmlError(t.d, err) }
func (t *stdXMLTokens) fail(format string, args ...any) error {
	return inputError(format, args...)
}

type fastXMLTokens struct{ s *xmlScan }

func (t *fastXMLTokens) next() (xmlTokKind, error)  { return t.s.next() }
func (t *fastXMLTokens) startTok() xml.StartElement { return t.s.start }
func (t *fastXMLTokens) endTok() xml.EndElement     { return t.s.end }
func (t *fastXMLTokens) textTok() []byte            { return t.s.text }
func (t *fastXMLTokens) directiveTok() []byte       { return nil }
func (t *fastXMLTokens) errAt(string, ...any) error { return errXMLFallback }
func (t *fastXMLTokens) syntaxErr(error) error      { return errXMLFallback }
func (t *fastXMLTokens) fail(string, ...any) error  { return errXMLFallback }
