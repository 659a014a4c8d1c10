"""The import page lists each preset's columns and offers a template file (issue 9 item 11)."""

import csv
import io

import pytest
from django.urls import reverse

from conftest import client_for
from tepat.registry.transfer.presets import PRESETS


def test_import_page_lists_the_columns_of_each_preset(dinsos_operator):
    content = client_for(dinsos_operator).get(reverse("registry:import_start")).content.decode()
    for name, preset in PRESETS.items():
        assert f'data-preset="{name}"' in content
        assert ", ".join(column.header for column in preset.columns) in content
        assert reverse("registry:import_template", args=[name]) in content


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_template_file_has_the_preset_header_row(dinsos_operator, name):
    response = client_for(dinsos_operator).get(reverse("registry:import_template", args=[name]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="template-{name}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [[column.header for column in PRESETS[name].columns]]


def test_template_matrix(client, auditor, dinsos_operator):
    url = reverse("registry:import_template", args=["siks"])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert client_for(auditor).get(url).status_code == 403  # may not import
    assert client_for(dinsos_operator).get(reverse("registry:import_template", args=["nope"])).status_code == 404
    assert client_for(dinsos_operator).get(url).status_code == 200
