import React from 'react';
import { Alert } from '@grafana/ui';

import { AuthKindEditor } from './types';

function ForwardOAuthNote() {
  return (
    <Alert severity="info" title="Forwarding the user's OAuth token">
      Grafana forwards the signed-in user&apos;s OAuth access token (and ID token) to Relay, which sends it upstream.
      This works only for users who signed in to Grafana with OAuth, and not for alerting or other background queries.
    </Alert>
  );
}

export const forwardOAuth: AuthKindEditor = {
  label: 'Forward OAuth',
  description: "The Grafana user's OAuth token",
  secrets: [],
  Editor: ForwardOAuthNote,
  // Grafana forwards the user's token only when oauthPassThru is set.
  onTypeChange: (jd, chosen) => {
    if (chosen) {
      jd.oauthPassThru = true;
    } else {
      delete jd.oauthPassThru;
    }
  },
};
