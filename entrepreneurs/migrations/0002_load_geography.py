"""Thailand's provinces, districts and subdistricts, from the geothai package.

Data: GeoThai/data by Pongsakorn Thipayanate, CC BY 4.0 (credited in the portal's footer),
from the Department of Provincial Administration and Thailand Post.
"""

from django.db import migrations


def load(apps, schema_editor):
    import geothai

    Province = apps.get_model("entrepreneurs", "Province")
    District = apps.get_model("entrepreneurs", "District")
    Subdistrict = apps.get_model("entrepreneurs", "Subdistrict")
    provinces = geothai.provinces()
    Province.objects.bulk_create(
        [Province(code=p.code, name_th=p.name_th, name_en=p.name_en) for p in provinces],
        ignore_conflicts=True,
    )
    districts = [d for p in provinces for d in geothai.districts(p.code)]
    District.objects.bulk_create(
        [
            District(code=d.code, name_th=d.name_th, name_en=d.name_en, province_id=d.code[:2])
            for d in districts
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    Subdistrict.objects.bulk_create(
        [
            Subdistrict(
                code=s.code,
                name_th=s.name_th,
                name_en=s.name_en,
                district_id=s.code[:4],
                postal_codes=" ".join(s.postal_codes),
            )
            for d in districts
            for s in geothai.subdistricts(d.code)
        ],
        ignore_conflicts=True,
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("entrepreneurs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
