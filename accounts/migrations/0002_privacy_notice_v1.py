from django.db import migrations
from django.utils import timezone

BODY_TH = """ประกาศความเป็นส่วนตัว (ฉบับที่ 1.0)

ผู้ควบคุมข้อมูลส่วนบุคคล: กรมส่งเสริมอุตสาหกรรม (ดีพร้อม) ร่วมกับศูนย์ลำปาง มหาวิทยาลัยธรรมศาสตร์ ผู้ดำเนินโครงการยกระดับผลิตภัณฑ์เซรามิกชุมชน "นครเซรามิก"

ข้อมูลที่เก็บ: ชื่อ-นามสกุล อีเมล หมายเลขโทรศัพท์ ภาษาที่ต้องการ บทบาทในระบบ และข้อมูลวิสาหกิจและผลิตภัณฑ์ที่ท่านบันทึก

วัตถุประสงค์: เพื่อจัดการบัญชีผู้ใช้ การสมัครเข้าร่วมโครงการ การฝึกอบรม การจองใช้ห้องปฏิบัติการ การติดตามการยกระดับผลิตภัณฑ์ และการรายงานผลโครงการต่อหน่วยงานรัฐ

ฐานทางกฎหมาย: การปฏิบัติหน้าที่ในการดำเนินภารกิจเพื่อประโยชน์สาธารณะของรัฐ และการปฏิบัติตามสัญญาเมื่อท่านสมัครเข้าร่วมโครงการ (พระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 24) การใช้ภาพเพื่อประชาสัมพันธ์และการเปิดเผยต่อหน่วยงานพันธมิตรจะขอความยินยอมแยกต่างหาก และท่านถอนความยินยอมได้ทุกเมื่อ

ระยะเวลาเก็บรักษา: ตลอดระยะเวลาที่บัญชียังใช้งาน และ 5 ปีหลังโครงการสิ้นสุดเพื่อการตรวจสอบและรายงาน จากนั้นจะลบหรือทำให้ไม่สามารถระบุตัวตนได้

ผู้รับข้อมูล: เจ้าหน้าที่ดีพร้อมและบุคลากรของศูนย์ที่เกี่ยวข้องกับงานของท่านเท่านั้น และหน่วยงานพันธมิตรเมื่อท่านให้ความยินยอม

สิทธิของท่าน: ขอเข้าถึง ขอรับสำเนา ขอแก้ไข ขอลบ ขอระงับการใช้ คัดค้าน และถอนความยินยอม ตลอดจนร้องเรียนต่อสำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล

ติดต่อเจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล: กรมส่งเสริมอุตสาหกรรม ถนนพระรามที่ 6 แขวงทุ่งพญาไท เขตราชเทวี กรุงเทพฯ 10400
"""

BODY_EN = """Privacy notice (version 1.0)

Data controller: the Department of Industrial Promotion (DIPROM) with Thammasat University Lampang Centre, who run the "Nakhon Ceramic" community ceramics upgrading programme.

What we collect: your name, email address, phone number, preferred language, your role in the portal, and the enterprise and product data you record.

Purposes: to manage your account, programme applications, training, laboratory bookings, the follow-up of product upgrades, and the programme's reports to government.

Legal basis: the performance of a task carried out in the public interest, and the performance of a contract when you apply to a programme (Personal Data Protection Act B.E. 2562, section 24). Publicity photos and sharing with partner organisations need your separate consent, which you may withdraw at any time.

Retention: while your account is in use and for 5 years after the programme ends, for audit and reporting; then the data is deleted or anonymised.

Recipients: DIPROM officers and centre staff who work on your case, and partner organisations where you consent.

Your rights: access, a copy, correction, erasure, restriction, objection and withdrawal of consent, and a complaint to the Personal Data Protection Committee.

Contact the data protection officer: Department of Industrial Promotion, Rama VI Road, Thung Phaya Thai, Ratchathewi, Bangkok 10400.
"""


def publish(apps, schema_editor):
    PrivacyNotice = apps.get_model("accounts", "PrivacyNotice")
    PrivacyNotice.objects.get_or_create(
        version="1.0",
        defaults={"body_th": BODY_TH, "body_en": BODY_EN, "published_at": timezone.now()},
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
