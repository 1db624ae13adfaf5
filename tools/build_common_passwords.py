"""Build inspection/auth/data/common_passwords.txt: the passwords refused outright, most common first.

    .venv/bin/python tools/build_common_passwords.py

Nothing is downloaded (intranets are offline): the list is the passwords seen at the top of every
published leak list, those Vietnamese users choose (keyboard runs, "matkhau", "anhyeuem",
"123456a@"), the office's own words ("ubnd@123"), and each family or given name of vi_words.txt
followed by a year of birth (1950-2012) or a usual ending ("123", "@123"). Lower case, no
diacritics: the check folds the password the same way before looking it up."""

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "inspection" / "auth" / "data"

TOP = """
123456 123456789 12345678 password 12345 qwerty 1234567 111111 1234567890 123123 abc123 1234
password1 iloveyou 1q2w3e4r 000000 qwerty123 zaq12wsx dragon sunshine princess letmein 654321
monkey 1qaz2wsx 123321 qwertyuiop superman asdfghjkl asdfgh 666666 888888 121212 987654321
123qwe football baseball welcome admin admin123 administrator root toor master shadow michael
trustno1 passw0rd p@ssw0rd p@ssword password123 password@123 pass123 pass@123 test test123 test@123
guest changeme secret 112233 123654 159753 147258 147258369 741852963 789456123 789456 456789
0123456789 1234567899 123456789a 12345678a 1234567a 123456a 12345a a123456 aa123456 123456aa
123456a@ 123456a@@ 123456aa@ 12345678a@ 123456789a@ a@123456 aa@123456 a123456@ abc@123 abc@1234
abc@12345 abc12345 abcd1234 abcd@1234 qwe123 qwe@123 qwerty@123 asd123 zxc123 1qazxsw2 q1w2e3r4
1q2w3e 1q2w3e4r5t 11111111 00000000 88888888 99999999 12341234 123123123 147852369 112233445566
admin@123 admin@1234 admin@12345 admin1234 admin12345 administrator1 quantri quantri123 quantri@123
matkhau matkhau1 matkhau12 matkhau123 matkhau1234 matkhau@123 matkhau@1234 matkhaumoi matkhau2024
matkhau2025 matkhau2026 mk123456 mk@123 mk@123456 matkhaucuatoi doimatkhau khongcomatkhau
anhyeuem anhyeuem1 anhyeuem123 anhyeuem@123 emyeuanh emyeuanh123 yeuem yeuem123 yeuanh yeuanh123
iloveyou1 iloveyou123 tinhyeu tinhyeu123 hanhphuc hanhphuc123 giadinh giadinh123 conyeu meyeu boyeu
vietnam vietnam1 vietnam123 vietnam@123 vietnam2024 vietnam2025 vietnam1945 hanoi hanoi123 hanoi@123
saigon saigon123 hochiminh danang danang123 haiphong cantho dongthap tanhong caolanh
ubnd ubnd123 ubnd@123 ubnd@2024 ubnd@2025 ubnd@2026 ubndxa ubndxa123 ubndtinh hdnd hdnd@123
cchc cchc123 cchc@123 cchc@2024 cchc@2025 cchc@2026 caicachhanhchinh thanhtra thanhtra123
kiemtra kiemtra123 congvu congvu123 congchuc vienchuc canbo canbo123 vanphong vanphong123
motcua motcua123 dichvucong noivu noivu123 congan congan123 vnpt vnpt@123 vnpt@2024 viettel
viettel@123 viettel123 mobifone vinaphone zalo123 facebook facebook123 gmail gmail123
demo demo123 demo1234 demo@123 user user123 user@123 test1234 abcdef abcdefgh 1234abcd
aaaaaa aaaaaaaa abc123456 vip123 vip123456 hello hello123 xinchao xinchao123 chaoban
"""

ENDINGS = ("123", "1234", "12345", "123456", "@123", "@1234", "@123456", "2024", "2025", "2026")


def names() -> list[str]:
    parts, section = [], ""
    for line in (DATA / "vi_words.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# ["):
            section = line[3:-1]
        elif line and not line.startswith("#") and section in ("family", "given"):
            parts.append(line)
    return list(dict.fromkeys(parts))


def build() -> list[str]:
    entries = TOP.split()
    for name in names():
        entries.extend(f"{name}{year}" for year in range(1950, 2013))
        entries.extend(f"{name}{ending}" for ending in ENDINGS)
        entries.extend(f"{name}@{year}" for year in range(1970, 2006))
    return list(dict.fromkeys(entries))


def main() -> None:
    header = ("# Refused passwords, most common first; built by tools/build_common_passwords.py "
              "(edit the script, not this file)\n")
    (DATA / "common_passwords.txt").write_text(header + "\n".join(build()) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
