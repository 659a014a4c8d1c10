"""Word lists for synthetic families in Banten: given names, kampung names, occupations, notes.

Names follow how people in Banten are registered: no family name, one to three given names; Sundanese,
Javanese, Betawi and Islamic names; older generations more often carry a single traditional name, younger
ones two- and three-part modern or Arabic names. A token "Name:3" weighs that name three times.
"""

from __future__ import annotations

import numpy as np

from tepat.registry import choices as c


def weighted(text: str) -> tuple[np.ndarray, np.ndarray]:
    """'Siti:6 Nur:3 Dewi' → (names, probabilities). Underscores stand for spaces inside a name."""
    names: list[str] = []
    weights: list[float] = []
    for token in text.split():
        name, _, weight = token.partition(":")
        names.append(name.replace("_", " "))
        weights.append(float(weight or 1))
    probabilities = np.asarray(weights) / sum(weights)
    return np.asarray(names), probabilities


# Generations by birth year: OLD before 1965, MIDDLE 1965–1994, YOUNG 1995 and later.
GENERATION_BOUNDS = (1965, 1995)
# Share of one-, two- and three-word names by generation: older people more often carry one traditional
# name, younger ones two- and three-part modern or Arabic names (about 25 / 55 / 20 % over the population).
WORD_COUNT_SHARE = ((0.55, 0.38, 0.07), (0.29, 0.57, 0.14), (0.15, 0.58, 0.27))
# Share of two-word names whose second word is another given name ("Rizki Fajar", "Dewi Sartika") rather
# than one of the usual closing names ("Hidayat", "Rahmawati").
GIVEN_SECOND_SHARE = 0.3

# First word of a two- or three-word name, by sex and generation.
FIRST_MALE = (
    weighted(
        "Muhammad:3 Ahmad:4 Abdul:2 Mad Sa'i Jaya Karta Asep Ujang Dede Juhri Aan "
        "Sarmin Wirya Sastra Darma Kartim Saman Darsim Tarsim Warsim Carim Dulah Sanip Mahmud:2 Salim Hamid "
        "Rasid Sapri Jamal Kosim Marta Suhra Ending Omo Enjang Adang Atang Ujat Emed Odih Udin:2 Sahid "
        "Mansur Maksum Nurhadi Sukirman Paiman Tukiman Sumarno Slamet:2 Suparman Darmo Karyo Sarip Mukri "
        "Tohari Arsyad Basri Bakri Mastur Markum Rohili Sapei Jaelani Kholil Murad Abas Ali:2 Usman Umar "
        "Hasan:2 Husen Ismail Yahya Idris Rais Soleh Tubagus Entong Engkon Encim Enda Akib Oyo Uci Edeng Dadi "
        "Sueb Samin Jumri Kardi Nasir Arsad Mukhtar Rohmat Dulgani Madsari Jasim"
    ),
    weighted(
        "Muhammad:5 Ahmad:5 Asep:5 Dede:4 Ujang:3 Agus:4 Ade:4 Dedi:3 Rudi:2 Yudi:2 Hendra:2 Iwan:2 Wawan:2 "
        "Acep:2 Jajang:2 Cecep:2 Deden Endang Eko:2 Budi:2 Joko Andi Edi Heri Rahmat:2 Abdul:2 Yayan Ayi Aep "
        "Mamat Engkos Ajat Odang Hasan Usep Entis Maman Nana Dadang:2 Dudung Dodi Doni Dani Deni Dian Eman "
        "Emen Entang Engkus Iyus Yusuf Yana Yayat Yadi Yanto Yoyo Otong Oji Ohan Oman Opik Iip Iing Ikin Iman "
        "Imam Irwan Indra Ismail Jaja Jujun Kurnia Lili Lukman Nandang Nanang Nono Nurdin Opan Pepen Ridwan "
        "Rohman Sopyan Sukma Taufik Tatang Toto Ucup Uus Wahyu:2 Wendi Yaya Zaenal Aang Aat Abas Acun Adi:2 "
        "Ajang Aji Ali Anang Anwar Ardi Arif:2 Atep Bambang Beni Bunyamin Cahya Dadan Darman Didin Didi "
        "Dikdik Efendi Eka Encep Endin Endi Erwin Feri Firman Galih Hadi Hamdan Hari Herman Heru Hilman Iden "
        "Ihsan Ilyas Imron Iskandar Jamal Jenal Komar Kosasih Lalan Mahmud Mulyadi Mumuh Nandi Nasrul Obay "
        "Pendi Rizal Rosid Ruhyat Saepul Sahrul Samsul Sandi Soleh Sudirman Suhendar Sukri Syarif Teguh "
        "Tri:2 Dwi:2 Catur Totok Wahid Warto Agung Arief Hendri Joni Mulyono Purnomo Santoso Sugiarto Sunarto "
        "Supri Susanto Suwarno Widodo Rohmat Aris Asmawi Badri Dayat Dedeh Deris Enjum Fuad Hambali Husni "
        "Jumadi Karim Kusnadi Lulu Mahfud Marzuki Nuryadi Rusdi Sahidin Samsudin Sanusi Tatan Unang Wahyudin "
        "Yono Yuyu Ahyar Ayat Abu Buang Enggus Nurman Ojat Ocim Toha Umar Ruslan Sarifudin"
    ),
    weighted(
        "Muhammad:10 Ahmad:5 Rizki:3 Fajar:2 Aditya:2 Dimas:2 Raka Alif:2 Zidan Farhan:2 Rafi Arkan Reza "
        "Ilham:2 Iqbal:2 Irfan Fikri:2 Gilang Bayu Dede:2 Ade:2 Dani Rendi Rangga Hafiz Aldi Ardi Yusuf "
        "Aditia Rehan Akbar Naufal Fahri Adam Afif Agil Akmal Alfian Alvin Alfa Ali Amar Andika Angga Anggi "
        "Ari Arya Arsyad Asyraf Azka Azam Bagas Bagus Bima Bintang Cahyo Daffa:2 Danu Dava Deni Dicky Dika "
        "Dio Dwiki Egi Eza Fadil Fadli Fahmi Faisal Fakhri Farel Fathan Fauzan Ferdi Firdaus Galang Galih "
        "Ghani Gibran Habib Hadi Haikal Hanif Hasbi Hendra Ibnu Ihsan Ikhsan Ikbal Imam Indra Irsyad Ivan "
        "Jafar Kevin Khoirul Lutfi Malik Maulana Miftah Nabil Nizar Rafli Raihan Ramdan Randi Rasya Rayhan "
        "Restu Rian Ridho Rifki Rizal Rizky:2 Robi Sandi Satria Syahrul Syauqi Taufiq Tegar Ulil Umar Wildan "
        "Yoga Yogi Yudha Zaki Zaky Zulfikar Fauzi Hilmi Husni Ikram Kemal Luthfi Rafka Alvaro Arga Abim "
        "Abdul Adit Agus Aji Andra Andre Anwar Ariq Asep:2 Athar Aziz Bilal Dafa Danang Darma "
        "Dzaki Elang Erlangga Fadhil Fajri Fandi Fariz Fathir Ferry Fikry Hamzah Harun Hasan Husein Ilyas "
        "Iman Ismail Jaka Kahfi Khalid Lukman Mahesa Rasyid Reno Reyhan Rifqi Risky Rohman Ryan Sultan Surya "
        "Syahid Yahya Yazid Yusril Zacky Zainal Zhafran Zulfan Faqih Gani Ghifari Ujang Wahyu Wisnu Eko Dwi "
        "Tri Deri Aris Arif Hafidz Ikhwan Rudi"
    ),
)
FIRST_FEMALE = (
    weighted(
        "Siti:8 Nyi:2 Ratu Nur:2 Sri:2 Eni Ai Enah Icih Iyah Oom Aminah:2 Juariah Saodah Maemunah "
        "Romlah Rukoyah Jubaedah Halimah Sarinah Tuminah Suminah Masitoh Khodijah Salamah Atikah Mursinah "
        "Nuriyah Sumiati Darsih Warsih Carsih Ratna Umayah Enoh Onah Ijah Juleha Maryam Sarah Rumsiah Hasanah "
        "Saripah Marpuah Rohanah Jumenah Eti Ipah Epon Emah Edoh Entin:2 Euis:2 Cucu:2 Enok Imas Mimin Mumun "
        "Nyai Oneng Uti Iti Kokom Acih Ade Asih Dasih Eha Eem Ela Engkom Jenab Karsih Kuraesin Lilis Maryati "
        "Makiah Onih Rasmi Sanah Sukaesih Tarsih Tati Titi Yoyoh Sumarni Painem Tukinem Wagiyem Sulastri Suprapti"
    ),
    weighted(
        "Siti:10 Nur:5 Dewi:3 Sri:3 Eneng:3 Neng:3 Euis:3 Lilis:2 Ai:3 Imas:2 Tuti:2 Yanti Rina Ani Ika "
        "Ela:2 Iis Ratna Yuyun Eti:2 Nining Titin Enok Enung Dede:2 Ade Sumi Nani Wati Lina Leni Neneng:2 "
        "Cucu:2 Entin:2 Tita Tini Nia Nunung Nurul Nenden Yeni Yayah Yati Yuli Yuni Yuyu Wiwin "
        "Wiwi Dedeh Dian Dini Dina Desi Eka Elis Ema Emi Endah Erna Erni Evi Fitri Heni Hera Ida "
        "Ifah Ina Indah Ine Ineu Inayah Ipah Irma Isah Iin Iyam Juju Juwita Kiki Kokom Kurniasih Lela Lia "
        " Lina Lusi Mamay Mimin Mia Mila Mulyani Nana Nani Neni Nenah Nia Nining Nita Novi Nuraeni "
        "Nurhayati Pipit Popon Ratih Rika Rini Risma Rita Rosmala Rossa Santi Sari Sela Sinta Sopiah Sulis "
        "Sumarni Suryani Susi Tati Teti Titi Tuti Umi Upi Uum Wartini Wida Wulan Yana Yeti Yoyoh Yuliani "
        "Yulia Yunita Anisah Aisah Atin Ayi Cicih Elin Enden Eni Enong Epi Euis "
        " Hani Iyan Jamilah Komala Lastri Maya Mega Mimi Nurlela Omah Oneng Resti Rohaeti "
        "Rohayati Rukmini Sofi Sukaesih Tri Dwi Endang Eko Sugiarti Suharti Sulastri Sumiati Wartinah Wiwik"
    ),
    weighted(
        "Siti:8 Nur:5 Putri:3 Aulia:2 Salsa:2 Nabila:2 Zahra:2 Aisyah:3 Keisha Alya:2 Dinda:2 Aira Dewi:2 "
        "Sri Fitri:2 Intan:2 Rizka:2 Indah:2 Anisa:2 Nurul:3 Rahma Sinta Tiara Dea Neng:2 Eneng Aulia Citra "
        "Amelia Nayla Adelia Adinda Afifah Agnia Aina Aisha Alfira Alika Alisa Alma Amanda Amira Anggi Anita "
        "Annisa Ardelia Arini Asyifa Ayu:2 Azizah Azzahra Bunga Cantika Chika Clara Dara Delia Diah "
        "Dian Diana Difa Dila Dinar Dita Eka Elsa Elvira Fadila Farah Farhana Fatimah Febi Febriani Firda "
        "Gita Hana Hani Hanifah Hasna Ika Ilma Indri Ira Isna Jihan Kamila Kayla Khansa Kirana Laila Laras "
        "Lia Lina Livia Lutfiah Maharani Maulida Maya Melati Mita Mutiara Nadia Nadya Naila Najwa Nanda "
        "Nazwa Nia Novi Nuri Okta Puja Qaila Rahayu Raisa Rani Ratu Regina Resti Rifa Riska Risma Rosa "
        "Sabrina Safira Sakinah Salma Salsabila Sarah Selvi Shafa Shakila Silvi Syifa Tasya Tia Ulfa Vina "
        "Widia Windi Wulan Yasmin Yulia Zahira Zakiah Zaskia Aqila Arsyila Ayudia Dwi Tri Fitria "
        "Hilda Ismi Jessica Khairunnisa Lestari Mawar Nisa:2 Nurhaliza Ocha Rara Sifa Tari Vika "
        "Yuni Zalfa Cucu Euis Neneng"
    ),
)

# Middle word of a three-word name ("Muhammad Rizki Ramadhan", "Siti Nur Aisyah"), and the second word of
# some two-word names: Arabic middle names and common given names, by sex (all generations).
MIDDLE_MALE = weighted(
    "Nur:4 Abdul:3 Ahmad:4 Muhammad:3 Rizki:3 Fajar:2 Aditya:2 Dimas Ilham:2 Iqbal Irfan Fikri Arif:2 Agus:2 "
    "Budi Dwi:2 Tri:2 Eko Adi:2 Aji Ali:2 Hasan Husen Yusuf:2 Ismail Ibrahim Ilyas Idris Imam Iman Umar "
    "Usman Hamzah Harun Sulaiman Yahya Zakaria Zaenal Zainal Syamsul Saiful Sahrul Samsul Fauzi Fadli "
    "Fahmi Faisal Fathur Fikri Firman Galih Ghani Habib Hadi Hafiz Haikal Hanif Hasbi Hendra Ihsan Ikhsan "
    "Indra Jaya Kurnia Lutfi Malik Maulana:2 Miftah Nabil Naufal Nurul Rafi Rahmat:2 Ramdan Reza Ridho "
    "Ridwan Rifki Rizal Satria Taufik Wahyu Yoga Zaki Aulia Bayu Bintang Cahya Dani Deni Eka Gilang Hari "
    "Juli Septian Agustian Oktavian Febri Aprian Nopian Januar Dede Ade Asep Ujang Wisnu Surya Putra "
    "Rangga Raka Danu Nanda Rizal Syarif Jamal Kamal Amin Amir Anwar Akbar Alfian Arya Bagus Dafa Fadil "
    "Fahri Ferdi Hilman Husni Irsyad Khoirul Miftahul Nurdin Rahman Rohman Sopyan Syahid Syaiful Ulul "
    "Wildan Yudi Zulfikar Badru Jalal Sofyan Abdillah Hidayat Saepul Maulidin Fathul Ainul Nasrul"
)
MIDDLE_FEMALE = weighted(
    "Nur:6 Siti:2 Dewi:3 Ayu:3 Putri:3 Sri:2 Nurul:3 Fitri:2 Dwi:2 Tri:2 Eka:2 Indah:2 Intan Rizka "
    "Aulia:2 Anisa Aisyah:2 Amalia Amelia Annisa Azizah Citra Dian Dinda Diah Elis Ema Endah Evi Fajar "
    "Fatimah Febri Hana Hani Ida Ika Ina Ira Lia Lina Lilis Maya Mega Mia Nabila Nadia Nia Nina Novi "
    "Nurlela Ratna Rini Rina Risma Rosa Sinta Sari Tia Tika Wulan Yuli Yulia Yuni Zahra Ani Asih Cahya "
    "Dede Ade Eneng Neng Euis Ai Imas Yanti Yeni Yuyun Tuti Titin Ratu Rahma Salsa Salma Siska Suci "
    "Kartika Kurnia Lestari Mutiara Nanda Nisa Okta Puspa Rahayu Septi Agustina April Juli Maulida "
    "Syifa Tasya Ulfa Widia Winda Khairun Ainun Laila Nuraini Hikmah Umi Habibah Jamilah Latifah"
)

# Closing word of a two- or three-word name, by sex (shared across generations).
SECOND_MALE = weighted(
    "Hidayat:3 Saputra:3 Ramadhan:3 Setiawan:3 Kurniawan:3 Hermawan:2 Sudrajat:2 Permana:3 Nugraha:3 "
    "Gunawan:3 Firmansyah:3 Maulana:4 Saepudin:3 Hidayatullah:2 Rohmat:2 Suryana:2 Sutisna Suherman:2 "
    "Supriatna:2 Mulyana:2 Rahman:3 Hakim:2 Fauzi:3 Syahroni Jaenudin:2 Saepulloh:2 Abidin:2 Salim:2 "
    "Hartono Wijaya Pratama:4 Nurdin:2 Sobari Mukhlis Fadilah Kamaludin Hasanudin Sanusi Junaedi:2 "
    "Rohim Anwar Ridwan:2 Sopian Wahyudi Kusnadi Jamaludin:2 Syarifudin Mubarok Hamdani Ma'ruf Arifin:2 "
    "Yusuf Iskandar Munandar Sudarma Suparman Taufik Solihin Ramdani:2 Ardiansyah:2 Septiawan Kurnia "
    "Hermansyah Gunadi Sumarna Sukmana Sopandi Somantri Suganda Sudirja Wiguna Kusumah "
    "Nugroho Prasetyo Santoso Wibowo Purnomo Susanto Hendrawan Irawan Darmawan Kusuma Mahendra Prakoso "
    "Pamungkas Wicaksono Utomo Hidayatulloh Nurhidayat Rahmatullah Fathurrohman Abdurrahman Habibullah "
    "Syaifullah Saefullah Fadlullah Sulaeman Sukandi Rusmana Rusdiana Juhana Komarudin Badrudin Sahrudin "
    "Samsudin Najmudin Nasrudin Nurjaman Nuryaman Ruhiyat Apandi Effendi Sopyan Sofyan Mulyadi Supriyadi "
    "Suryadi Hariyadi Rosadi Hamdan Ridho Rizal Fahrezi Alfarizi Akbar Alamsyah Syahputra "
    "Perdana Prayoga Wardana Prasetya Aditama Adiputra Anugrah Fadillah Hamzah Zulkarnaen Zakaria Ibrahim "
    "Ismail Sulaiman Hasan Husaini Muharram Muharom Safari Ramdhani Syawal Syawaludin Rajab Sya'ban "
    "Muslim Mustofa Mukhtar Ma'mun Mahmudin Mansyur Marzuki Masruri Mas'ud Murtado Nawawi Rofiudin "
    "Rosyid Samsuri Sarbini Sujana Suhendi Suhendra Sunandar Sundana Sutarman Tarmizi Wahyudin Yasin "
    "Zaenudin Zainudin Zulfikar Dermawan Hikmat Jatnika Kartika Mardiana Mulyanto Nuryadin Pebriansyah "
    "Oktaviansyah Agustian Januarsyah Septian Novianto Desriandi Rahmadi Rifa'i Sholeh Solehudin Tajudin "
    "Ubaidillah Ulumudin Amrullah Aminullah Aziz Azhari Baehaki Fuadi Ghozali Hafidz Hasbullah Ikhsan "
    "Ilyas Jailani Khoerudin Kholilulloh Maksudi Miftahudin Muchtar Mujahid Munawar Musthofa "
    "Nurhadi Qomarudin Rohendi Romdoni Rustandi Sahidin Sapei Soleh Suhada Sumpena Suryadinata Tohir Umar"
)
SECOND_FEMALE = weighted(
    "Aminah:4 Rohmah:3 Nurhasanah:3 Fitriani:3 Lestari:3 Wulandari:3 Rahmawati:3 Maryam:2 Komalasari:2 "
    "Nurjanah:4 Sari:3 Handayani:2 Agustina:2 Susanti:2 Anggraeni:2 Permatasari:2 Rahayu:3 Hasanah:3 "
    "Aisyah:2 Fatimah:3 Khodijah:2 Halimah:2 Zahra Nuraeni:3 Komariah:2 Suryani:2 Alawiyah:2 Sartika "
    "Wahyuni:2 Yuliani:2 Mulyani:2 Hayati:2 Rosita Marlina:2 Kurniasih:2 Nurlaela:2 Jubaedah Saadah "
    "Maesaroh:2 Rukmini Ramdani Safitri:3 Amalia:2 Oktaviani Puspita Ayu:2 Khoerunnisa:2 Azzahra:2 "
    "Hamidah Robiah Rosmawati Sumiati Apriani Aprilia Ariani Damayanti Destiani Dewanti Dwiyanti "
    "Fadilah Fauziah Febriyanti Fitriyani Gustiani Hardianti Haryanti Herawati Hermawati Hidayati "
    "Indrawati Irawati Juliani Julianti Kartini Kurniawati Lestiani Mardiani Mariani Maulida Maulidiyah "
    "Meliani Mutmainah Nabilah Novianti Novitasari Nuraini Nurazizah Nurfadilah Nurhayati Nurhalimah "
    "Nurlatifah Nurmala Nuryani Oktavia Pratiwi Purnamasari Puspitasari Rachmawati Ratnasari Riyanti "
    "Rohaeni Rohayati Rosdiana Rosmiati Rusmiati Saputri Setiawati Siswanti Sofiah Solihah Sopiah "
    "Sulistiani Sumarni Supriyani Suryaningsih Susilawati Sutiawati Triyani Utami Wardani Widiastuti "
    "Widyaningsih Yanti Yulianti Yuningsih Zahrotunnisa Zulaikha Anisa Annisa Aulia Azizah Badriah "
    "Fauziyah Habibah Hafsah Hanifah Hikmah Jamilah Karimah Khairunnisa Latifah Lutfiah Mardiyah Marfuah "
    "Munawaroh Musyarofah Nafisah Qomariah Rabiatul Rodiah Rofiah Romlah Ruqoyah Salamah Salsabila "
    "Sakinah Shofiyah Solehah Syarifah Umamah Zainab Zubaedah Asih Kurnia Kusumawati Lesmana Mayasari "
    "Melati Nirmala Novita Pertiwi Puspa Safira Septiani Sintia Suciati Widya Wijayanti "
    "Yuliana Agustin Andriani Andini Anggita Aryani Cahyani Dahlia Desi Eliana Ernawati Evi Febriani "
    "Fitria Herlina Indriani Intan Jayanti Kartika Kencana Kirana Lia Mawarni Meilani Melinda Nadia "
    "Nengsih Nurani Oktaviana Purwanti Ramadhani Ramdhani Rosmala Suhartini Sulastri "
    "Suprihatin Triana Untari Wati Winarti Yuniarti Zakiyah Nurkholifah Nurkomalasari Rukoyah Saripah"
)

# Single-name people, by sex and generation.
SINGLE_MALE = (
    weighted(
        "Sarmin Jaenudin:2 Saripudin:2 Juhri Sanusi:2 Sukarna Marjuki Kasim Usman:2 Rohmat Suhari Sarip "
        "Madsuri Jamhari:2 Sanwani Halimi Mursid Dulhadi Sukri Tarmin Nawawi:2 Samsudin:2 Jumadi Karta "
        "Sarmili Sahroni:2 Mulyadi Sukardi Arsad Mardani Sarnata Kamaludin Suhendi Jamil Mursan Sadeli "
        "Tohir Suparta Ruhiyat Entang Oman Ocid Uju Sahari Dulkarim Sarma Darta Wirta Karsa Kartiwa Surta "
        "Amsar Ansori Asmuni Badrun Basuni Dulmanan Jaelani Jahidi Jasman Kholil Madrais Mahdi Marsudi "
        "Masduki Masna Muhdi Mukri Naswan Nursan Rasman Rohili Rusdi Sahlan Saman Samiun Sanip Sapri Sarkim "
        "Sarnadi Suhemi Sulaeman Suryadi Tarja Tasdik Udin Wahab Waryo Yasin Zaenal Slamet Paiman Sukirman"
    ),
    weighted(
        "Suryana:2 Sutisna:2 Hidayat:2 Sopian Taufik:2 Supriyadi:2 Mulyana Suhendi:2 Juanda Rahmat:2 "
        "Jajang Cecep Sahrudin:2 Saepudin:2 Junaedi:2 Nurdin:2 Sarif Kusnadi Hasanudin Badrudin Jaenal:2 "
        "Sarkawi Mahmudin Samsuri Ruslan Wahyudin Ahmadi Rohani Sukarta Sulaeman:2 Mukhtar Syamsudin "
        "Sobirin Suhada Haerudin Asep:2 Ujang:2 Dadang Dede Jujun Mumuh Nandang Endang Engkos Ajat Usep "
        "Iwan Wawan Yayan Yadi Supardi Sumardi Sunardi Sudarman Rusmana Rohendi Romli Najmudin Nasrudin "
        "Komarudin Kurniadi Khaerudin Hamdani Haryono Apandi Amirudin Ahyani Abdullah Arifin Aripin Muhidin "
        "Munawar Rosidi Sahidin Sapei Solihin Somantri Sukandi Sunarya Tatang Toto Iskandar Marzuki Mulyono"
    ),
    weighted(
        "Rizki:2 Fajar:2 Ilham:2 Iqbal Irfan Fikri Gilang Bayu Rendi Aldi Reza Akbar Rafi Ardiansyah "
        "Firmansyah Ramdani Hidayat Maulana:2 Syahrul Ridwan Sopyan Supriadi Ikhsan Fauzan Hafiz Ilyas "
        "Imam Iman Ismail Hamzah Fahri Fadli Haikal Rifki Ridho Rizal Sandi Septian Agustian Kurniawan "
        "Hermawan Setiawan Saputra Ramadhan Pratama Nugraha Firdaus Alfian Apriansyah Muhidin Yusuf Zidan"
    ),
)
SINGLE_FEMALE = (
    weighted(
        "Enah:2 Icih:2 Iyah:2 Oom Aminah:3 Juariah:2 Saodah:2 Maemunah:2 Romlah:2 Rukoyah Jubaedah:2 "
        "Halimah:2 Sarinah Tuminah Suminah Masitoh:2 Khodijah Salamah Atikah Mursinah Nuriyah Sumiati:2 "
        "Darsih Warsih Carsih Ratna Umayah Enoh Onah:2 Ijah:2 Juleha Maryam Sarah Rumsiah Hasanah Saripah "
        "Marpuah Rohanah Jumenah Arsih Asmanah Casih Dasmi Emih Enih Entin Epon Euis Ijem Inah Jamilah "
        "Jenab Juhaeni Karsinah Kartinah Kasmah Komariah Kuraesin Maesaroh Marfu'ah Masriah Muhayah Nawiyah "
        "Nurjanah Patimah Rasminah Rohimah Rokayah Rumini Samiah Saniah Sapiah Sarmi Suhaemi Tarsih Umsiah"
    ),
    weighted(
        "Rohaeti:2 Nurhayati:3 Mulyani:2 Yuliani Komariah:2 Sumiyati:2 Rosmiati Eti Nani Entin Iis Heni "
        "Nenden Yati:2 Kokom Euis Mumun Imas Nurlela:2 Rohimah:2 Sarmanah Aisah:2 Fatimah:2 Nurjanah:2 "
        "Sukaesih Rosidah Maesaroh:2 Jamilah:2 Mutmainah Solihat Umi Badriah Muslihah Cucu:2 Neneng:2 "
        "Lilis Titin Tuti Yuyun Wiwin Yanti Yeni Dedeh Nunung Enung Elis Nining Rohayati Suryani Sumarni "
        "Herawati Kurniasih Kartini Marlina Masitoh Mulyati Nuraeni Rahmawati Rosita Sopiah Sulastri "
        "Supriyati Suhaeti Yayah Yuningsih Hasanah Halimah Khodijah Nurhasanah Saadah Rukmini Salamah"
    ),
    weighted(
        "Nurhalimah Aisyah:2 Nabila Salsabila:2 Anisa:2 Fitriyani:2 Nurjanah Khoirunnisa Rahmawati Safitri "
        "Maulida Amelia Nurlaela Yulianti Intan Novitasari Selvi Sela Wulan Jihan Syifa Zahra Nurhasanah "
        "Fitriani Lestari Wulandari Nuraini Azizah Hasanah Rahmah Sakinah Indriani Anggraeni Maharani "
        "Nurazizah Nurfadilah Rohmah Suci Rosita Ulfah Widia Yuliana Melati Kirana Aulia Amalia"
    ),
)
# Every name group, for the vocabulary of name words (tables.NAMES).
NAME_GROUPS = (*FIRST_MALE, *FIRST_FEMALE, MIDDLE_MALE, MIDDLE_FEMALE, SECOND_MALE, SECOND_FEMALE,
               *SINGLE_MALE, *SINGLE_FEMALE)


def words(text: str) -> list[str]:
    """'Kebon_Kelapa Sukajadi' → ['Kebon Kelapa', 'Sukajadi']."""
    return [word.replace("_", " ") for word in text.split()]


# Kampung (hamlet) names, used as "Kp. <name>" in desa and "Lingk. <name>" in kelurahan.
KAMPUNG = np.asarray(words(
    "Pabuaran Kebon_Kelapa Sukajadi Cilaku Tegal Bojong Pasir_Gintung Babakan Kadu Cibeber Sawah_Luhur "
    "Pekijing Kadumalang Kramat Pedaleman Gardu Talaga Sindang Cigodeg Kebon_Jeruk Tanjung Pesisir "
    "Pangkalan Kalimati Lebak Karang_Asem Sukamaju Sukamulya Sukasari Sindangsari Kebon_Baru Pasar "
    "Kaloran Babakan_Kidul Kadu_Kulon Pasir_Wetan Cikoneng Jambu Sumur Lebak_Wangi Kebon_Sawo Pasir_Awi "
    "Kamurang Kepuh Kaujon Sawah Pakuncen Ciasem Blokang Kubang Rancasumur Kedung Kebon_Dalem Cibanten "
    "Gabus Tambak Rawa_Arum Cipete Pasir_Peuteuy Kadubeureum Tegal_Lega Bendung Cilowong Kemanisan "
    "Ranca_Lame Dukuh Pabean Kali_Pucang Sukadana Cikupa Jaha Gelam"
))

# Birth places outside the home kabupaten (migrants, spouses who married in).
OTHER_BIRTH_PLACES = np.asarray(
    ["Pandeglang", "Lebak", "Tangerang", "Cilegon", "Jakarta", "Bogor", "Bekasi", "Karawang", "Indramayu",
     "Brebes", "Tegal", "Lampung", "Cirebon", "Sukabumi"]
)

MOVED_NOTES = np.asarray(
    ["Pindah ke Tangerang", "Pindah ke Jakarta", "Pindah ke Cilegon", "Merantau ke Bekasi", "Ikut suami",
     "Pindah ke Karawang", "Bekerja di Batam", "Pindah ke Lampung"]
)
DIED_NOTE = "Meninggal dunia"
NOT_FOUND_NOTE = "Tidak ditemukan saat verifikasi lapangan"

E = c.EmploymentStatus
STUDENT = ("Pelajar/Mahasiswa", E.NOT_WORKING)
NOT_YET_WORKING = ("Belum/tidak bekerja", E.NOT_WORKING)
HOMEMAKER = ("Ibu rumah tangga", E.NOT_WORKING)

# (occupation, employment status, weight) for people of working age not in school, and for the elderly.
OCCUPATIONS_MALE = (
    ("Buruh harian lepas", E.CASUAL_NON_AGRICULTURE, 22),
    ("Petani/pekebun", E.SELF_EMPLOYED, 14),
    ("Buruh tani", E.CASUAL_AGRICULTURE, 12),
    ("Pedagang", E.SELF_EMPLOYED, 9),
    ("Wiraswasta", E.SELF_EMPLOYED, 6),
    ("Wiraswasta", E.EMPLOYER_TEMPORARY, 1),
    ("Karyawan swasta", E.EMPLOYEE, 9),
    ("Tukang ojek", E.SELF_EMPLOYED, 5),
    ("Sopir", E.EMPLOYEE, 3),
    ("Tukang bangunan", E.CASUAL_NON_AGRICULTURE, 6),
    ("Nelayan", E.SELF_EMPLOYED, 3),
    ("Pegawai negeri sipil", E.CIVIL_SERVANT, 0.5),
    ("Membantu usaha keluarga", E.FAMILY_WORKER, 1),
    ("Belum/tidak bekerja", E.NOT_WORKING, 8.5),
)
OCCUPATIONS_FEMALE = (
    ("Ibu rumah tangga", E.NOT_WORKING, 50),
    ("Pedagang", E.SELF_EMPLOYED, 12),
    ("Buruh harian lepas", E.CASUAL_NON_AGRICULTURE, 9),
    ("Buruh tani", E.CASUAL_AGRICULTURE, 6),
    ("Petani/pekebun", E.SELF_EMPLOYED, 3),
    ("Karyawan swasta", E.EMPLOYEE, 7),
    ("Asisten rumah tangga", E.EMPLOYEE, 3),
    ("Wiraswasta", E.SELF_EMPLOYED, 3),
    ("Membantu usaha keluarga", E.FAMILY_WORKER, 1),
    ("Belum/tidak bekerja", E.NOT_WORKING, 6),
)
OCCUPATIONS_ELDERLY = (
    ("Tidak bekerja", E.NOT_WORKING, 60),
    ("Petani/pekebun", E.SELF_EMPLOYED, 15),
    ("Buruh tani", E.CASUAL_AGRICULTURE, 8),
    ("Pedagang", E.SELF_EMPLOYED, 10),
    ("Buruh harian lepas", E.CASUAL_NON_AGRICULTURE, 4),
    ("Wiraswasta", E.SELF_EMPLOYED, 3),
)
