"""Zabbix: the media type shipped in contrib/zabbix is run by Node.js with Zabbix's webhook
objects (HttpRequest, Zabbix.log) standing in, and what it sends is posted to Yingji: a
problem opens an alert keyed by {EVENT.ID}, an acknowledging update acknowledges it, the
recovery resolves it."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from yingji.core.actors import SYSTEM
from yingji.core.ratelimit import reset_budgets
from yingji.intake import services
from yingji.intake.models import IncomingAlert
from yingji.org.testing import CastTestCase

MEDIA_TYPE = Path(__file__).resolve().parents[3] / "contrib" / "zabbix" / "yingji_media_type.yaml"

# Zabbix's webhook runtime, reduced to what a media type script may call.
HARNESS = """
const fs = require('fs'), vm = require('vm');
const [script, value, status] = [fs.readFileSync(process.argv[2], 'utf8'),
                                 fs.readFileSync(process.argv[3], 'utf8'), Number(process.argv[4])];
const sent = [];
class HttpRequest {
  constructor() { this.headers = []; }
  addHeader(header) { this.headers.push(header); }
  setProxy() {}
  post(url, body) { sent.push({url, headers: this.headers, body}); return '{}'; }
  getStatus() { return status; }
}
let result = null, error = null;
try {
  result = vm.runInNewContext('(function () {' + script + '\\n})()',
                              {HttpRequest, Zabbix: {log() {}}, value});
} catch (e) { error = String(e); }
process.stdout.write(JSON.stringify({result, error, sent}));
"""

# {ALERT.*}, {EVENT.*} and {HOST.*} as Zabbix fills them in for a problem
PROBLEM = {
    "url": "http://yingji.internal/api/v1/intake/zabbix",
    "zabbix_url": "http://zabbix.internal",
    "event_id": "10042",
    "event_value": "1",
    "event_update": "0",
    "event_ack": "No",
    "severity": "4",
    "subject": "核心交换机 CPU 使用率过高",
    "message": "CPU 96%",
    "host": "core-sw-01",
    "host_ip": "10.0.0.1",
    "trigger_id": "23661",
    "trigger_description": "",
    "opdata": "96 %",
    "tags": "scope:performance",
    "event_date": "2026.11.28",
    "event_time": "10:00:00",
}


def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the media type's script: .ci/run installs nodejs")
        pytest.skip("node is not installed (apt-get install nodejs)")
    return found


def run_media_type(params: dict, key: str, status: int = 202) -> dict:
    script = yaml.safe_load(MEDIA_TYPE.read_text())["zabbix_export"]["media_types"][0]["script"]
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp, "script.js"), Path(tmp, "value.json"), Path(tmp, "harness.js")]
        paths[0].write_text(script)
        paths[1].write_text(json.dumps({**params, "key": key}))
        paths[2].write_text(HARNESS)
        done = subprocess.run(
            [node(), str(paths[2]), str(paths[0]), str(paths[1]), str(status)],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    return json.loads(done.stdout)


class ZabbixMediaType(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        _integration, self.key = services.integration_create(
            actor=SYSTEM, name="Zabbix 6", kind="zabbix"
        )

    def deliver(self, params: dict) -> int:
        """Run the media type, then send what it sent to Yingji."""
        outcome = run_media_type(params, self.key)
        self.assertEqual((outcome["result"], outcome["error"]), ("OK", None))
        sent = outcome["sent"][0]
        self.assertEqual(sent["url"], params["url"])
        headers = dict(h.split(": ", 1) for h in sent["headers"])
        answer = self.client.post(
            "/api/v1/intake/zabbix",
            sent["body"],
            content_type=headers["Content-Type"],
            headers={"Authorization": headers["Authorization"]},
        )
        return answer.status_code

    def test_a_problem_its_acknowledgement_and_its_recovery(self):
        self.assertEqual(self.deliver(PROBLEM), 202)
        alert = IncomingAlert.objects.get()
        self.assertEqual(
            (alert.dedup_key, alert.urgency, alert.source, alert.summary),
            ("10042", "error", "core-sw-01", "核心交换机 CPU 使用率过高"),
        )
        self.assertEqual(alert.details["opdata"], "96 %")
        self.assertNotIn("key", alert.details)  # the key never travels in the body
        self.assertEqual(
            alert.link, "http://zabbix.internal/tr_events.php?triggerid=23661&eventid=10042"
        )
        self.assertEqual(self.deliver({**PROBLEM, "event_update": "1", "event_ack": "Yes"}), 202)
        self.assertEqual(IncomingAlert.objects.get().state, "acknowledged")
        self.assertEqual(self.deliver({**PROBLEM, "event_value": "0"}), 202)
        self.assertEqual(IncomingAlert.objects.get().state, "resolved")

    def test_bad_events_are_refused_and_the_script_reports_a_refusal(self):
        answer = self.client.post(
            "/api/v1/intake/zabbix",
            json.dumps({**PROBLEM, "event_id": "x"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.key}"},
        )
        self.assertEqual(answer.status_code, 400)
        self.assertIn("event_id", answer.json()["detail"])
        refused = run_media_type(PROBLEM, self.key, status=401)
        self.assertIn("Yingji answered 401", refused["error"])
        self.assertFalse(IncomingAlert.objects.exists())
