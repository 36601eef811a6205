// Command go_oauth2 logs in to `imagelib serve` as gobrightbox (and so the
// Terraform provider) does: golang.org/x/oauth2's clientcredentials flow
// against TokenURL https://127.0.0.1:PORT/token/, then GET /1.0/images and
// GET /1.0/account with the http.Client that clientcredentials gives. It
// trusts only serve's certificate (-ca). Any failure is a message on stderr
// and exit status 1. Built and run by net/interop/go_oauth2_test.py.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go_oauth2: "+format+"\n", args...)
	os.Exit(1)
}

// getJSON GETs api+path with client and decodes a 200 answer into out.
func getJSON(client *http.Client, api, path string, out interface{}) {
	response, err := client.Get(api + path)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		fail("GET %s: reading the body: %v", path, err)
	}
	if response.StatusCode != http.StatusOK {
		fail("GET %s: status %d: %s", path, response.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		fail("GET %s: %v: %s", path, err, body)
	}
}

func main() {
	api := flag.String("api", "", "the API root, https://127.0.0.1:PORT")
	tokenPath := flag.String("token-path", "/token/", "the token endpoint under -api")
	clientID := flag.String("client-id", "", "API client id")
	clientSecret := flag.String("client-secret", "", "API client secret")
	account := flag.String("account", "", "the account the client belongs to")
	caFile := flag.String("ca", "", "PEM certificate of serve, the only one trusted")
	authStyle := flag.String("auth-style", "header", "header (AuthStyleInHeader) or params (AuthStyleInParams)")
	scope := flag.String("scope", "", "a scope to ask for (none when empty)")
	flag.Parse()

	pem, err := os.ReadFile(*caFile)
	if err != nil {
		fail("%v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		fail("no certificate in %s", *caFile)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	base := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, base)

	config := clientcredentials.Config{
		ClientID:     *clientID,
		ClientSecret: *clientSecret,
		TokenURL:     *api + *tokenPath,
	}
	switch *authStyle {
	case "header":
		config.AuthStyle = oauth2.AuthStyleInHeader
	case "params":
		config.AuthStyle = oauth2.AuthStyleInParams
	default:
		fail("unknown -auth-style %q", *authStyle)
	}
	if *scope != "" {
		config.Scopes = []string{*scope}
	}

	token, err := config.Token(ctx)
	if err != nil {
		fail("token: %v", err)
	}
	if token.AccessToken == "" || token.Type() != "Bearer" || !token.Expiry.After(time.Now()) {
		fail("token: unexpected %+v", token)
	}

	client := config.Client(ctx)
	var images []map[string]interface{}
	getJSON(client, *api, "/1.0/images", &images)
	var own map[string]interface{}
	getJSON(client, *api, "/1.0/account", &own)
	if own["id"] != *account {
		fail("GET /1.0/account: id %v, want %s", own["id"], *account)
	}
	fmt.Printf("ok auth-style=%s images=%d account=%s expires_in=%.0fs\n", *authStyle, len(images),
		own["id"], time.Until(token.Expiry).Seconds())
}
